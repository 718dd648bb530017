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
import { constraint, rawSql, storeEngines } from './storeEngines';
import { fixedClock, tempFolder } from './tempProject';

const tmp = tempFolder('store-repos');
const engines = storeEngines();

describe.each(engines)('on $name', (engine) => {

  describe('projects, datasets, clips and frames', () => {
    it('stores and finds them, keeping clip frame counts and camelCase fields', async () => {
      const { store, project, dataset, clip, frameIds } = await engine.seeded(tmp.projectDir(), 5);
      expect(await getProject(store, project.id)).toEqual({ id: project.id, name: 'street', createdAt: '2026-11-24T12:00:01.000Z', settings: { size: [128, 256] }, labelSet: CITYSCAPES_LABEL_SET });
      expect((await mainProject(store))?.id).toBe(project.id);
      await setProjectSettings(store, project.id, { size: [64, 128], classes: 'cityscapes' });
      expect((await getProject(store, project.id)).settings).toEqual({ size: [64, 128], classes: 'cityscapes' });
      await renameProject(store, project.id, 'avenue');
      expect((await getProject(store, project.id)).name).toBe('avenue');

      expect((await listDatasets(store, project.id)).map((d) => [d.name, d.format, d.rootPath])).toEqual([['synth', 'cityscapes', '/data/synth']]);
      expect((await getDataset(store, dataset.id)).options).toEqual({});

      expect(await getClip(store, clip.id)).toMatchObject({ key: 'synth_000000', split: 'train', frameCount: 5, intrinsics: { fx: 100, fy: 100, cx: 4, cy: 2 } });
      expect((await findClip(store, dataset.id, 'synth_000000'))?.id).toBe(clip.id);
      expect(await findClip(store, dataset.id, 'nope')).toBeUndefined();
      await setClipIntrinsics(store, clip.id, { fx: 50, fy: 50, cx: 4, cy: 2, width: 8, height: 4 });
      expect((await getClip(store, clip.id)).intrinsics).toEqual({ fx: 50, fy: 50, cx: 4, cy: 2, width: 8, height: 4 });

      const val = await addClip(store, { datasetId: dataset.id, key: 'synth_000001', split: 'val' });
      await insertFrames(store, [{ clipId: val.id, index: 0, imagePath: 'v0.png', split: 'val', width: 8, height: 4, isKeyframe: true, gtLabelPath: 'g.png', depthPath: 'd.png' }]);
      expect((await listClips(store, dataset.id)).map((c) => c.key)).toEqual(['synth_000000', 'synth_000001']);
      expect((await listClips(store, dataset.id, 'val')).map((c) => [c.key, c.frameCount, c.intrinsics])).toEqual([['synth_000001', 1, null]]);

      const f = await getFrame(store, frameIds[2]!);
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
      expect((await clipFrames(store, clip.id)).map((x) => x.index)).toEqual([0, 1, 2, 3, 4]);
      expect((await neighbourFrames(store, frameIds[0]!, [-1, 1, 2])).map((x) => x?.index)).toEqual([undefined, 1, 2]);
      expect(await countFrames(store)).toBe(6);
      expect(await countFrames(store, { split: 'train' })).toBe(5);
      expect((await listFrames(store, { keyframesOnly: true })).map((x) => x.imagePath)).toEqual([
        'leftImg8bit_sequence/train/synth/synth_000000_000004_leftImg8bit.png',
        'v0.png',
      ]);
      expect((await listFrames(store, { split: 'val', withGroundTruth: true }))[0]).toMatchObject({ gtLabelPath: 'g.png', depthPath: 'd.png' });
      expect(await countFrames(store, { datasetId: dataset.id + 1 })).toBe(0);
      expect(await projectOverview(store, project.id)).toEqual({
        datasets: 1,
        clips: 2,
        frames: 6,
        keyframes: 2,
        suggested: 0,
        masks: { todo: 0, in_progress: 0, done: 0, skipped: 0 },
        selectionRounds: 0,
        runs: 0,
      });
      await store.close();
    });

    it('names what is missing when an id does not exist', async () => {
      const { store } = await engine.seeded(tmp.projectDir());
      await expect(getFrame(store, 999)).rejects.toThrow(ProjectStoreError);
      await expect(getFrame(store, 999)).rejects.toThrow(/no frame with id 999/);
      await expect(setProjectSettings(store, 42, {})).rejects.toThrow(/no project with id 42/);
      await store.close();
    });

    it('removing a dataset removes its clips, frames and label rows (foreign keys cascade)', async () => {
      const { store, project, dataset, frameIds } = await engine.seeded(tmp.projectDir());
      await setMaskStatus(store, frameIds[0]!, 'skipped');
      await removeDataset(store, dataset.id);
      expect(await listDatasets(store, project.id)).toEqual([]);
      expect(await countFrames(store)).toBe(0);
      expect(await rawSql.count(store, 'label_masks')).toBe(0);
      await store.close();
    });

    it('names the table, row and column when stored JSON is damaged', async () => {
      const { store, project } = await engine.seeded(tmp.projectDir());
      await rawSql.run(store, "UPDATE projects SET settings_json = '{broken' WHERE id = ?", project.id);
      await expect(getProject(store, project.id)).rejects.toThrow(`${store.dbPath}: projects row ${project.id} settings_json holds invalid JSON`);
      await rawSql.run(store, "UPDATE projects SET settings_json = '[1,2]' WHERE id = ?", project.id);
      await expect(getProject(store, project.id)).rejects.toThrow(/should hold a JSON object/);
      await store.close();
    });

    it('refuses rows that break the schema: unknown format, duplicate frame index, frame of a missing clip', async () => {
      const { store, clip } = await engine.seeded(tmp.projectDir());
      await expect(insertFrames(store, [{ clipId: clip.id, index: 0, imagePath: 'dup.png', split: 'train', width: 8, height: 4 }])).rejects.toThrow(constraint.unique);
      await expect(insertFrames(store, [{ clipId: 9999, index: 0, imagePath: 'x.png', split: 'train', width: 8, height: 4 }])).rejects.toThrow(constraint.foreignKey);
      await expect(rawSql.run(store, "INSERT INTO datasets (project_id, name, format, root_path, created_at) VALUES (1, 'x', 'kitti', '/', 'now')")).rejects.toThrow(constraint.check);
      await store.close();
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
    it('stores rounds with their picks and scores, queues the picks, and explains each suggestion', async () => {
      const { store, project, frameIds } = await engine.seeded(tmp.projectDir(), 4);
      const [a, b, c, d] = frameIds as [number, number, number, number];
      const sde = await createRun(store, { projectId: project.id, kind: 'sde', config: { steps: 10 } });
      const ck = await addCheckpoint(store, { runId: sde.id, step: 10, path: 'checkpoints/run1/step10' });
      const r1 = await createSelectionRound(store, {
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
      await setMaskStatus(store, c, 'done');
      const r2 = await createSelectionRound(store, { projectId: project.id, method: 'random', picks: [{ frameId: d }, { frameId: a }] });
      expect((await listSelectionRounds(store, project.id)).map((r) => r.id)).toEqual([r1.id, r2.id]);
      expect(await listPicks(store, r1.id)).toEqual([
        { roundId: r1.id, rank: 0, frameId: c, score: 3.5, diversityScore: 3, uncertaintyScore: 1 },
        { roundId: r1.id, rank: 1, frameId: a, score: 2.25, diversityScore: 2, uncertaintyScore: 0.5 },
      ]);
      expect((await listPicks(store, r2.id))[0]).toEqual({ roundId: r2.id, rank: 0, frameId: d, score: null, diversityScore: null, uncertaintyScore: null });
      expect((await picksOfFrame(store, a)).map((p) => [p.roundId, p.rank])).toEqual([[r1.id, 1], [r2.id, 1]]);
      expect(await selectedFrameIds(store, project.id)).toEqual([c, a, d]);
      expect((await listSuggestions(store, project.id)).map((s) => [s.frameId, s.method, s.status, s.uncertaintyWeight])).toEqual([
        [c, 'ds_us', 'done', 0.5],
        [a, 'ds_us', 'todo', 0.5],
        [d, 'random', 'todo', null],
      ]);
      expect((await listSuggestions(store, project.id, 'todo')).map((s) => s.frameId)).toEqual([a, d]);
      expect(await countMasksByStatus(store, { projectId: project.id })).toEqual({ todo: 2, in_progress: 0, done: 1, skipped: 0 });
      expect(await projectOverview(store, project.id)).toMatchObject({ suggested: 3, selectionRounds: 2, runs: 1, masks: { todo: 2, done: 1 } });
      expect(await getMaskRow(store, b)).toBeUndefined();
      expect((await listMasks(store, { projectId: project.id, status: 'todo' })).map((m) => [m.frameId, m.maskPath, m.version])).toEqual([[a, null, 0], [d, null, 0]]);
      expect((await listMasks(store)).map((m) => m.frameId)).toEqual([a, c, d]);
      expect(await getSelectionRound(store, r2.id)).toMatchObject({ method: 'random', params: {}, scoredByRunId: null, modelKey: null });
      // a pick list naming the same frame twice is refused as a whole
      await expect(createSelectionRound(store, { projectId: project.id, method: 'random', picks: [{ frameId: b }, { frameId: b }] })).rejects.toThrow(constraint.unique);
      expect(await listSelectionRounds(store, project.id)).toHaveLength(2);
      expect(await getMaskRow(store, b)).toBeUndefined();
      await store.close();
    });
  });

  describe('training runs, metric history, checkpoints', () => {
    it('tracks status with times, progress, metrics (NaN kept) and checkpoints', async () => {
      const { store, project } = await engine.seeded(tmp.projectDir());
      const sde = await createRun(store, { projectId: project.id, kind: 'sde', config: { lr: 1e-4 } });
      const seg = await createRun(store, { projectId: project.id, kind: 'seg', mode: 'multitask', parentRunId: sde.id, config: { mix: 'depthmix' } });
      expect(seg).toMatchObject({ kind: 'seg', mode: 'multitask', parentRunId: sde.id, status: 'queued', startedAt: null, progress: {} });

      const started = await setRunStatus(store, sde.id, 'running');
      expect(started.startedAt).not.toBeNull();
      await expect(setRunStatus(store, seg.id, 'running')).rejects.toThrow(/run 1 is already running/);
      await setRunStatus(store, sde.id, 'paused');
      const resumed = await setRunStatus(store, sde.id, 'running');
      expect(resumed.startedAt).toBe(started.startedAt);
      await setRunProgress(store, sde.id, { step: 20, total: 100, loss: 0.12 });
      await appendMetrics(store, sde.id, [
        { step: 10, name: 'loss', value: 0.5 },
        { step: 20, name: 'loss', value: 0.25 },
        { step: 30, name: 'loss', value: Number.NaN },
        { step: 40, name: 'loss', value: Number.POSITIVE_INFINITY },
        { step: 20, name: 'val/absRel', value: 0.2 },
      ]);
      await appendMetrics(store, sde.id, [{ step: 20, name: 'loss', value: 0.3 }]); // logged again after a resume
      const failed = await setRunStatus(store, sde.id, 'failed', 'loss became NaN at step 30');
      expect(failed).toMatchObject({ status: 'failed', error: 'loss became NaN at step 30', progress: { step: 20, total: 100, loss: 0.12 } });
      expect(failed.finishedAt).not.toBeNull();

      const loss = await metricHistory(store, sde.id, 'loss');
      expect(loss.map((p) => p.step)).toEqual([10, 20, 30, 40]);
      expect(loss[3]!.value).toBe(Number.POSITIVE_INFINITY);
      expect(loss[1]!.value).toBe(0.3);
      expect(Number.isNaN(loss[2]!.value)).toBe(true);
      expect(await metricNames(store, sde.id)).toEqual(['loss', 'val/absRel']);
      expect(await metricHistory(store, sde.id)).toHaveLength(5);

      await addCheckpoint(store, { runId: sde.id, step: 10, path: 'checkpoints/1/10', metrics: { loss: 0.5 } });
      await addCheckpoint(store, { runId: sde.id, step: 20, path: 'checkpoints/1/20' });
      const again = await addCheckpoint(store, { runId: sde.id, step: 20, path: 'checkpoints/1/20b', metrics: { loss: 0.3 } });
      expect((await listCheckpoints(store, sde.id)).map((c) => [c.step, c.path])).toEqual([[10, 'checkpoints/1/10'], [20, 'checkpoints/1/20b']]);
      expect(await latestCheckpoint(store, sde.id)).toEqual(again);
      expect(await latestCheckpoint(store, seg.id)).toBeUndefined();
      expect((await getCheckpoint(store, again.id)).metrics).toEqual({ loss: 0.3 });
      await deleteCheckpoint(store, again.id);
      expect((await latestCheckpoint(store, sde.id))?.step).toBe(10);

      await setRunStatus(store, seg.id, 'running');
      expect((await listRuns(store, project.id)).map((r) => r.status)).toEqual(['failed', 'running']);
      expect((await listRuns(store, project.id, 'seg')).map((r) => r.id)).toEqual([seg.id]);
      // deleting the SDE run takes its metrics and checkpoints, and unlinks the child run
      await rawSql.run(store, 'DELETE FROM training_runs WHERE id = ?', sde.id);
      expect((await getRun(store, seg.id)).parentRunId).toBeNull();
      expect(await rawSql.count(store, 'run_metrics')).toBe(0);
      expect(await rawSql.count(store, 'checkpoints')).toBe(0);
      await store.close();
    });
  });

  describe('feature cache and settings', () => {
    it('keeps float vectors per frame and model exactly, and drops stale models', async () => {
      const { store, frameIds } = await engine.seeded(tmp.projectDir(), 3);
      const v = (k: number) => new Float32Array([k, -k, k / 3, 1e-30]);
      await putFeatures(store, 'sde:old', [{ frameId: frameIds[0]!, data: v(1) }]);
      await putFeatures(store, 'sde:new', frameIds.map((id, i) => ({ frameId: id, data: v(i + 2) })));
      const all = await readFeatures(store, 'sde:new');
      expect(all.frameIds).toEqual(frameIds);
      expect(all.dims).toBe(4);
      expect(Array.from(all.data)).toEqual([...v(2), ...v(3), ...v(4)]);
      const some = await readFeatures(store, 'sde:new', [frameIds[2]!, 9999, frameIds[0]!]);
      expect(some.frameIds).toEqual([frameIds[0], frameIds[2]]);
      expect(Array.from(some.data)).toEqual([...v(2), ...v(4)]);
      expect(await featureModels(store)).toEqual([{ modelKey: 'sde:new', frames: 3 }, { modelKey: 'sde:old', frames: 1 }]);
      expect(await dropFeatures(store, { keep: 'sde:new' })).toBe(1);
      expect(await readFeatures(store, 'sde:old')).toEqual({ frameIds: [], dims: 0, data: new Float32Array(0) });
      await store.close();
    });

    it('stores settings as JSON values, with an optional shape check', async () => {
      const { store } = await engine.seeded(tmp.projectDir());
      expect(await getSetting(store, 'ui')).toBeUndefined();
      await setSetting(store, 'ui', { opacity: 0.5, recent: ['/a', '/b'] });
      await setSetting(store, 'steps', 300);
      await setSetting(store, 'steps', 400);
      expect(await getSetting(store, 'steps')).toBe(400);
      const num = (v: unknown) => {
        if (typeof v !== 'number') throw new Error('not a number');
        return v;
      };
      expect(await getSetting(store, 'steps', num)).toBe(400);
      await expect(getSetting(store, 'ui', num)).rejects.toThrow('not a number');
      expect(await listSettings(store)).toEqual({ steps: 400, ui: { opacity: 0.5, recent: ['/a', '/b'] } });
      await expect(setSetting(store, 'bad', undefined)).rejects.toThrow(/deleteSetting/);
      expect(await deleteSetting(store, 'steps')).toBe(true);
      expect(await deleteSetting(store, 'steps')).toBe(false);
      await store.close();
    });
  });

  describe('close and reopen', () => {
    it('finds everything again in a new connection', async () => {
      const dir = tmp.projectDir();
      const { store, project, frameIds } = await engine.seeded(dir, 3);
      const run = await createRun(store, { projectId: project.id, kind: 'student', config: { teacher: 'sde:1' } });
      await appendMetrics(store, run.id, [{ step: 1, name: 'berhu', value: 0.75 }]);
      await addCheckpoint(store, { runId: run.id, step: 1, path: 'checkpoints/s/1', metrics: { berhu: 0.75 } });
      await createSelectionRound(store, { projectId: project.id, method: 'ds', picks: [{ frameId: frameIds[1]!, diversityScore: 4 }] });
      await putFeatures(store, 'm', [{ frameId: frameIds[1]!, data: new Float32Array([0.5, 0.25]) }]);
      await setSetting(store, 'theme', 'dark');
      await setRunStatus(store, run.id, 'done');
      await store.close();

      const again = await openProjectStore(dir, { create: false, now: fixedClock() });
      expect(await mainProject(again)).toMatchObject({ name: 'street', settings: { size: [128, 256] } });
      expect(await countFrames(again)).toBe(3);
      expect((await listFrames(again, { keyframesOnly: true }))[0]!.gtLabelPath).toBe('gtFine/train/synth/x_gtFine_labelTrainIds.png');
      expect(await getRun(again, run.id)).toMatchObject({ kind: 'student', status: 'done', config: { teacher: 'sde:1' } });
      expect(await metricHistory(again, run.id)).toEqual([{ step: 1, name: 'berhu', value: 0.75 }]);
      expect((await latestCheckpoint(again, run.id))?.metrics).toEqual({ berhu: 0.75 });
      expect((await listSuggestions(again, project.id)).map((s) => [s.frameId, s.diversityScore, s.status])).toEqual([[frameIds[1], 4, 'todo']]);
      expect(Array.from((await readFeatures(again, 'm')).data)).toEqual([0.5, 0.25]);
      expect(await getSetting(again, 'theme')).toBe('dark');
      await again.close();
    });
  });
});
