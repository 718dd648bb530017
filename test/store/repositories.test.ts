import { CITYSCAPES_LABEL_SET } from '../../src/core/labels';
import { describe, expect, it } from 'vitest';
import {
  addCheckpoint,
  addClip,
  appendMetrics,
  clipFrames,
  countFrames,
  countMasksByStatus,
  createRun,
  createSelectionRound,
  deleteCheckpoint,
  getCheckpoint,
  getSelectionRound,
  listMasks,
  renameProject,
  setClipIntrinsics,
  datasetFile,
  projectOverview,
  deleteSetting,
  dropFeatures,
  featureModels,
  findClip,
  getClip,
  getDataset,
  getFrame,
  getMaskRow,
  getProject,
  getRun,
  getSetting,
  insertFrames,
  latestCheckpoint,
  listCheckpoints,
  listClips,
  listDatasets,
  listFrames,
  listPicks,
  listRuns,
  listSelectionRounds,
  listSettings,
  listSuggestions,
  mainProject,
  metricHistory,
  metricNames,
  neighbourFrames,
  openProjectStore,
  picksOfFrame,
  ProjectStoreError,
  putFeatures,
  readFeatures,
  removeDataset,
  selectedFrameIds,
  setMaskStatus,
  setProjectSettings,
  setRunProgress,
  setRunStatus,
  setSetting,
} from '../../src/core/store';
import { fixedClock, seededStore, tempFolder } from './tempProject';

const tmp = tempFolder('store-repos');

describe('projects, datasets, clips and frames', () => {
  it('stores and finds them, keeping clip frame counts and camelCase fields', () => {
    const { store, project, dataset, clip, frameIds } = seededStore(tmp.projectDir(), 5);
    expect(getProject(store, project.id)).toEqual({ id: project.id, name: 'street', createdAt: '2026-11-24T12:00:01.000Z', settings: { size: [128, 256] }, labelSet: CITYSCAPES_LABEL_SET });
    expect(mainProject(store)?.id).toBe(project.id);
    setProjectSettings(store, project.id, { size: [64, 128], classes: 'cityscapes' });
    expect(getProject(store, project.id).settings).toEqual({ size: [64, 128], classes: 'cityscapes' });
    renameProject(store, project.id, 'avenue');
    expect(getProject(store, project.id).name).toBe('avenue');

    expect(listDatasets(store, project.id).map((d) => [d.name, d.format, d.rootPath])).toEqual([['synth', 'cityscapes', '/data/synth']]);
    expect(getDataset(store, dataset.id).options).toEqual({});

    expect(getClip(store, clip.id)).toMatchObject({ key: 'synth_000000', split: 'train', frameCount: 5, intrinsics: { fx: 100, fy: 100, cx: 4, cy: 2 } });
    expect(findClip(store, dataset.id, 'synth_000000')?.id).toBe(clip.id);
    expect(findClip(store, dataset.id, 'nope')).toBeUndefined();
    setClipIntrinsics(store, clip.id, { fx: 50, fy: 50, cx: 4, cy: 2, width: 8, height: 4 });
    expect(getClip(store, clip.id).intrinsics).toEqual({ fx: 50, fy: 50, cx: 4, cy: 2, width: 8, height: 4 });

    const val = addClip(store, { datasetId: dataset.id, key: 'synth_000001', split: 'val' });
    insertFrames(store, [{ clipId: val.id, index: 0, imagePath: 'v0.png', split: 'val', width: 8, height: 4, isKeyframe: true, gtLabelPath: 'g.png', depthPath: 'd.png' }]);
    expect(listClips(store, dataset.id).map((c) => c.key)).toEqual(['synth_000000', 'synth_000001']);
    expect(listClips(store, dataset.id, 'val').map((c) => [c.key, c.frameCount, c.intrinsics])).toEqual([['synth_000001', 1, null]]);

    const f = getFrame(store, frameIds[2]!);
    expect(f).toEqual({
      id: frameIds[2],
      clipId: clip.id,
      index: 2,
      imagePath: 'leftImg8bit_sequence/train/synth/synth_000000_000002_leftImg8bit.png',
      split: 'train',
      isKeyframe: false,
      width: 8,
      height: 4,
      gtLabelPath: null,
      depthPath: null,
    });
    expect(clipFrames(store, clip.id).map((x) => x.index)).toEqual([0, 1, 2, 3, 4]);
    expect(neighbourFrames(store, frameIds[0]!, [-1, 1, 2]).map((x) => x?.index)).toEqual([undefined, 1, 2]);
    expect(countFrames(store)).toBe(6);
    expect(countFrames(store, { split: 'train' })).toBe(5);
    expect(listFrames(store, { keyframesOnly: true }).map((x) => x.imagePath)).toEqual([
      'leftImg8bit_sequence/train/synth/synth_000000_000004_leftImg8bit.png',
      'v0.png',
    ]);
    expect(listFrames(store, { split: 'val', withGroundTruth: true })[0]).toMatchObject({ gtLabelPath: 'g.png', depthPath: 'd.png' });
    expect(countFrames(store, { datasetId: dataset.id + 1 })).toBe(0);
    expect(projectOverview(store, project.id)).toEqual({
      datasets: 1,
      clips: 2,
      frames: 6,
      keyframes: 2,
      suggested: 0,
      masks: { todo: 0, in_progress: 0, done: 0, skipped: 0 },
      selectionRounds: 0,
      runs: 0,
    });
    store.close();
  });

  it('names what is missing when an id does not exist', () => {
    const { store } = seededStore(tmp.projectDir());
    expect(() => getFrame(store, 999)).toThrow(ProjectStoreError);
    expect(() => getFrame(store, 999)).toThrow(/no frame with id 999/);
    expect(() => setProjectSettings(store, 42, {})).toThrow(/no project with id 42/);
    store.close();
  });

  it('removing a dataset removes its clips, frames and label rows (foreign keys cascade)', () => {
    const { store, project, dataset, frameIds } = seededStore(tmp.projectDir());
    setMaskStatus(store, frameIds[0]!, 'skipped');
    removeDataset(store, dataset.id);
    expect(listDatasets(store, project.id)).toEqual([]);
    expect(countFrames(store)).toBe(0);
    expect(store.db.prepare('SELECT count(*) FROM label_masks').pluck().get()).toBe(0);
    store.close();
  });

  it('names the table, row and column when stored JSON is damaged', () => {
    const { store, project } = seededStore(tmp.projectDir());
    store.db.prepare("UPDATE projects SET settings_json = '{broken' WHERE id = ?").run(project.id);
    expect(() => getProject(store, project.id)).toThrow(`${store.dbPath}: projects row ${project.id} settings_json holds invalid JSON`);
    store.db.prepare("UPDATE projects SET settings_json = '[1,2]' WHERE id = ?").run(project.id);
    expect(() => getProject(store, project.id)).toThrow(/should hold a JSON object/);
    store.close();
  });

  it('refuses rows that break the schema: unknown format, duplicate frame index, frame of a missing clip', () => {
    const { store, clip } = seededStore(tmp.projectDir());
    expect(() => insertFrames(store, [{ clipId: clip.id, index: 0, imagePath: 'dup.png', split: 'train', width: 8, height: 4 }])).toThrow(/UNIQUE/);
    expect(() => insertFrames(store, [{ clipId: 9999, index: 0, imagePath: 'x.png', split: 'train', width: 8, height: 4 }])).toThrow(/FOREIGN KEY/);
    expect(() => store.db.prepare("INSERT INTO datasets (project_id, name, format, root_path, created_at) VALUES (1, 'x', 'kitti', '/', 'now')").run()).toThrow(/CHECK/);
    store.close();
  });
});

describe('datasetFile', () => {
  it('resolves names inside the dataset root and refuses ones that leave it', () => {
    const ds = { rootPath: '/data/cs' };
    expect(datasetFile(ds, 'leftImg8bit/train/a.png')).toBe('/data/cs/leftImg8bit/train/a.png');
    expect(datasetFile(ds, 'x/../y.png')).toBe('/data/cs/y.png');
    expect(() => datasetFile(ds, '../other/a.png')).toThrow(/outside the dataset folder \/data\/cs/);
    expect(() => datasetFile(ds, '/etc/passwd')).toThrow(/outside/);
    expect(() => datasetFile(ds, '.')).toThrow(/outside/);
  });
});

describe('labelling status, selection rounds and the suggestion queue', () => {
  it('stores rounds with their picks and scores, queues the picks, and explains each suggestion', () => {
    const { store, project, frameIds } = seededStore(tmp.projectDir(), 4);
    const [a, b, c, d] = frameIds as [number, number, number, number];
    const sde = createRun(store, { projectId: project.id, kind: 'sde', config: { steps: 10 } });
    const ck = addCheckpoint(store, { runId: sde.id, step: 10, path: 'checkpoints/run1/step10' });
    const r1 = createSelectionRound(store, {
      projectId: project.id,
      method: 'ds_us',
      params: { budget: 2, weight: 0.5 },
      scoredByRunId: sde.id,
      scoredByCheckpointId: ck.id,
      modelKey: 'sde:abc',
      picks: [
        { frameId: c, score: 3.5, diversityScore: 3, uncertaintyScore: 1 },
        { frameId: a, score: 2.25, diversityScore: 2, uncertaintyScore: 0.5 },
      ],
    });
    expect(r1).toMatchObject({ method: 'ds_us', params: { budget: 2, weight: 0.5 }, scoredByRunId: sde.id, scoredByCheckpointId: ck.id, modelKey: 'sde:abc' });
    setMaskStatus(store, c, 'done');
    const r2 = createSelectionRound(store, { projectId: project.id, method: 'random', picks: [{ frameId: d }, { frameId: a }] });
    expect(listSelectionRounds(store, project.id).map((r) => r.id)).toEqual([r1.id, r2.id]);
    expect(listPicks(store, r1.id)).toEqual([
      { roundId: r1.id, rank: 0, frameId: c, score: 3.5, diversityScore: 3, uncertaintyScore: 1 },
      { roundId: r1.id, rank: 1, frameId: a, score: 2.25, diversityScore: 2, uncertaintyScore: 0.5 },
    ]);
    expect(listPicks(store, r2.id)[0]).toEqual({ roundId: r2.id, rank: 0, frameId: d, score: null, diversityScore: null, uncertaintyScore: null });
    expect(picksOfFrame(store, a).map((p) => [p.roundId, p.rank])).toEqual([[r1.id, 1], [r2.id, 1]]);
    expect(selectedFrameIds(store, project.id)).toEqual([c, a, d]);
    expect(listSuggestions(store, project.id).map((s) => [s.frameId, s.method, s.status, s.uncertaintyWeight])).toEqual([
      [c, 'ds_us', 'done', 0.5],
      [a, 'ds_us', 'todo', 0.5],
      [d, 'random', 'todo', null],
    ]);
    expect(listSuggestions(store, project.id, 'todo').map((s) => s.frameId)).toEqual([a, d]);
    expect(countMasksByStatus(store, { projectId: project.id })).toEqual({ todo: 2, in_progress: 0, done: 1, skipped: 0 });
    expect(projectOverview(store, project.id)).toMatchObject({ suggested: 3, selectionRounds: 2, runs: 1, masks: { todo: 2, done: 1 } });
    expect(getMaskRow(store, b)).toBeUndefined();
    expect(listMasks(store, { projectId: project.id, status: 'todo' }).map((m) => [m.frameId, m.maskPath, m.version])).toEqual([[a, null, 0], [d, null, 0]]);
    expect(listMasks(store).map((m) => m.frameId)).toEqual([a, c, d]);
    expect(getSelectionRound(store, r2.id)).toMatchObject({ method: 'random', params: {}, scoredByRunId: null, modelKey: null });
    // a pick list naming the same frame twice is refused as a whole
    expect(() => createSelectionRound(store, { projectId: project.id, method: 'random', picks: [{ frameId: b }, { frameId: b }] })).toThrow(/UNIQUE/);
    expect(listSelectionRounds(store, project.id)).toHaveLength(2);
    expect(getMaskRow(store, b)).toBeUndefined();
    store.close();
  });
});

describe('training runs, metric history, checkpoints', () => {
  it('tracks status with times, progress, metrics (NaN kept) and checkpoints', () => {
    const { store, project } = seededStore(tmp.projectDir());
    const sde = createRun(store, { projectId: project.id, kind: 'sde', config: { lr: 1e-4 } });
    const seg = createRun(store, { projectId: project.id, kind: 'seg', mode: 'multitask', parentRunId: sde.id, config: { mix: 'depthmix' } });
    expect(seg).toMatchObject({ kind: 'seg', mode: 'multitask', parentRunId: sde.id, status: 'queued', startedAt: null, progress: {} });

    const started = setRunStatus(store, sde.id, 'running');
    expect(started.startedAt).not.toBeNull();
    expect(() => setRunStatus(store, seg.id, 'running')).toThrow(/run 1 is already running/);
    setRunStatus(store, sde.id, 'paused');
    const resumed = setRunStatus(store, sde.id, 'running');
    expect(resumed.startedAt).toBe(started.startedAt);
    setRunProgress(store, sde.id, { step: 20, total: 100, loss: 0.12 });
    appendMetrics(store, sde.id, [
      { step: 10, name: 'loss', value: 0.5 },
      { step: 20, name: 'loss', value: 0.25 },
      { step: 30, name: 'loss', value: Number.NaN },
      { step: 40, name: 'loss', value: Number.POSITIVE_INFINITY },
      { step: 20, name: 'val/absRel', value: 0.2 },
    ]);
    appendMetrics(store, sde.id, [{ step: 20, name: 'loss', value: 0.3 }]); // logged again after a resume
    const failed = setRunStatus(store, sde.id, 'failed', 'loss became NaN at step 30');
    expect(failed).toMatchObject({ status: 'failed', error: 'loss became NaN at step 30', progress: { step: 20, total: 100, loss: 0.12 } });
    expect(failed.finishedAt).not.toBeNull();

    const loss = metricHistory(store, sde.id, 'loss');
    expect(loss.map((p) => p.step)).toEqual([10, 20, 30, 40]);
    expect(loss[3]!.value).toBe(Number.POSITIVE_INFINITY);
    expect(loss[1]!.value).toBe(0.3);
    expect(Number.isNaN(loss[2]!.value)).toBe(true);
    expect(metricNames(store, sde.id)).toEqual(['loss', 'val/absRel']);
    expect(metricHistory(store, sde.id)).toHaveLength(5);

    addCheckpoint(store, { runId: sde.id, step: 10, path: 'checkpoints/1/10', metrics: { loss: 0.5 } });
    addCheckpoint(store, { runId: sde.id, step: 20, path: 'checkpoints/1/20' });
    const again = addCheckpoint(store, { runId: sde.id, step: 20, path: 'checkpoints/1/20b', metrics: { loss: 0.3 } });
    expect(listCheckpoints(store, sde.id).map((c) => [c.step, c.path])).toEqual([[10, 'checkpoints/1/10'], [20, 'checkpoints/1/20b']]);
    expect(latestCheckpoint(store, sde.id)).toEqual(again);
    expect(latestCheckpoint(store, seg.id)).toBeUndefined();
    expect(getCheckpoint(store, again.id).metrics).toEqual({ loss: 0.3 });
    deleteCheckpoint(store, again.id);
    expect(latestCheckpoint(store, sde.id)?.step).toBe(10);

    setRunStatus(store, seg.id, 'running');
    expect(listRuns(store, project.id).map((r) => r.status)).toEqual(['failed', 'running']);
    expect(listRuns(store, project.id, 'seg').map((r) => r.id)).toEqual([seg.id]);
    // deleting the SDE run takes its metrics and checkpoints, and unlinks the child run
    store.db.prepare('DELETE FROM training_runs WHERE id = ?').run(sde.id);
    expect(getRun(store, seg.id).parentRunId).toBeNull();
    expect(store.db.prepare('SELECT count(*) FROM run_metrics').pluck().get()).toBe(0);
    expect(store.db.prepare('SELECT count(*) FROM checkpoints').pluck().get()).toBe(0);
    store.close();
  });
});

describe('feature cache and settings', () => {
  it('keeps float vectors per frame and model exactly, and drops stale models', () => {
    const { store, frameIds } = seededStore(tmp.projectDir(), 3);
    const v = (k: number) => new Float32Array([k, -k, k / 3, 1e-30]);
    putFeatures(store, 'sde:old', [{ frameId: frameIds[0]!, data: v(1) }]);
    putFeatures(store, 'sde:new', frameIds.map((id, i) => ({ frameId: id, data: v(i + 2) })));
    const all = readFeatures(store, 'sde:new');
    expect(all.frameIds).toEqual(frameIds);
    expect(all.dims).toBe(4);
    expect(Array.from(all.data)).toEqual([...v(2), ...v(3), ...v(4)]);
    const some = readFeatures(store, 'sde:new', [frameIds[2]!, 9999, frameIds[0]!]);
    expect(some.frameIds).toEqual([frameIds[0], frameIds[2]]);
    expect(Array.from(some.data)).toEqual([...v(2), ...v(4)]);
    expect(featureModels(store)).toEqual([{ modelKey: 'sde:new', frames: 3 }, { modelKey: 'sde:old', frames: 1 }]);
    expect(dropFeatures(store, { keep: 'sde:new' })).toBe(1);
    expect(readFeatures(store, 'sde:old')).toEqual({ frameIds: [], dims: 0, data: new Float32Array(0) });
    store.close();
  });

  it('stores settings as JSON values, with an optional shape check', () => {
    const { store } = seededStore(tmp.projectDir());
    expect(getSetting(store, 'ui')).toBeUndefined();
    setSetting(store, 'ui', { opacity: 0.5, recent: ['/a', '/b'] });
    setSetting(store, 'steps', 300);
    setSetting(store, 'steps', 400);
    expect(getSetting(store, 'steps')).toBe(400);
    const num = (v: unknown) => {
      if (typeof v !== 'number') throw new Error('not a number');
      return v;
    };
    expect(getSetting(store, 'steps', num)).toBe(400);
    expect(() => getSetting(store, 'ui', num)).toThrow('not a number');
    expect(listSettings(store)).toEqual({ steps: 400, ui: { opacity: 0.5, recent: ['/a', '/b'] } });
    expect(() => setSetting(store, 'bad', undefined)).toThrow(/deleteSetting/);
    expect(deleteSetting(store, 'steps')).toBe(true);
    expect(deleteSetting(store, 'steps')).toBe(false);
    store.close();
  });
});

describe('close and reopen', () => {
  it('finds everything again in a new connection', () => {
    const dir = tmp.projectDir();
    const { store, project, frameIds } = seededStore(dir, 3);
    const run = createRun(store, { projectId: project.id, kind: 'student', config: { teacher: 'sde:1' } });
    appendMetrics(store, run.id, [{ step: 1, name: 'berhu', value: 0.75 }]);
    addCheckpoint(store, { runId: run.id, step: 1, path: 'checkpoints/s/1', metrics: { berhu: 0.75 } });
    createSelectionRound(store, { projectId: project.id, method: 'ds', picks: [{ frameId: frameIds[1]!, diversityScore: 4 }] });
    putFeatures(store, 'm', [{ frameId: frameIds[1]!, data: new Float32Array([0.5, 0.25]) }]);
    setSetting(store, 'theme', 'dark');
    setRunStatus(store, run.id, 'done');
    store.close();

    const again = openProjectStore(dir, { create: false, now: fixedClock() });
    expect(mainProject(again)).toMatchObject({ name: 'street', settings: { size: [128, 256] } });
    expect(countFrames(again)).toBe(3);
    expect(listFrames(again, { keyframesOnly: true })[0]!.gtLabelPath).toBe('gtFine/train/synth/x_gtFine_labelTrainIds.png');
    expect(getRun(again, run.id)).toMatchObject({ kind: 'student', status: 'done', config: { teacher: 'sde:1' } });
    expect(metricHistory(again, run.id)).toEqual([{ step: 1, name: 'berhu', value: 0.75 }]);
    expect(latestCheckpoint(again, run.id)?.metrics).toEqual({ berhu: 0.75 });
    expect(listSuggestions(again, project.id).map((s) => [s.frameId, s.diversityScore, s.status])).toEqual([[frameIds[1], 4, 'todo']]);
    expect(Array.from(readFeatures(again, 'm').data)).toEqual([0.5, 0.25]);
    expect(getSetting(again, 'theme')).toBe('dark');
    again.close();
  });
});
