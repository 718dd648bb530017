import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateCall } from '../../src/core/api/contract';
import { ModelCache } from '../../src/core/api/modelCache';
import { createService } from '../../src/core/api/service';
import { CAMVID_CLASSES, TRAIN_CLASSES } from '../../src/core/labels';
import { loadModelFromFolder } from '../../src/core/ml/nets';
import { predictSegmentation } from '../../src/core/ml/predict';
import { frameImage } from '../../src/core/project/modelOutputs';
import { openProject, type OpenProject } from '../../src/core/project/openProject';
import { latestModel } from '../../src/core/project/projectModels';
import { addCheckpoint, getFrame, type TrainingRun } from '../../src/core/store';
import { FIXTURE_SIZE, FIXTURE_TRAIN_IDS, freshDirs, writeCamvidFixture, writeCityscapesFixture } from '../data/fixtures';
import { useCpuEngine } from '../ml/nets/netSetup';
import { MODEL_SIZE, addFinishedRun, buildNet, saveCheckpoint, segMetrics } from './savedRuns';

const dirs = freshDirs();
const { width: W, height: H } = FIXTURE_SIZE;

async function decodePng(dataUrl: string): Promise<{ width: number; height: number; channels: number; data: Uint8Array }> {
  expect(dataUrl.startsWith('data:image/png;base64,')).toBe(true);
  const { data, info } = await sharp(Buffer.from(dataUrl.split(',')[1]!, 'base64')).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data: new Uint8Array(data) };
}

/** The dataset label of the fixture's frames: four vertical bands of trainIds. */
const fixtureGt = (x: number): number => FIXTURE_TRAIN_IDS[Math.floor((x * FIXTURE_TRAIN_IDS.length) / W)]!;

describe('review API over a real project with saved tiny models', () => {
  const service = createService('host', { version: '1.0.0', recentFile: join(dirs('review-config'), 'recent.json'), author: 'tester' });
  let dir = '';
  let pid = 0;
  let p: OpenProject;
  let segOld: TrainingRun;
  let segNew: TrainingRun;
  let sde: TrainingRun;
  let valFrameId = 0;
  let trainFrameId = 0;
  const metricsOld = segMetrics(0.4);
  const metricsNew = segMetrics(0.8, 17);

  beforeAll(async () => {
    await useCpuEngine();
    const data = dirs('review-data');
    await writeCityscapesFixture(data);
    dir = join(dirs('review-project'), 'proj');
    pid = (await service.projectCreate({ dir, dataset: data, format: 'cityscapes' })).projectId;
    // The training loops write through their own connection to the same database.
    p = await openProject(dir);
    segOld = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', mode: 'scratch', metrics: metricsOld, seed: 1 });
    sde = await addFinishedRun(p.store, p.project.id, { kind: 'sde', net: 'depth', seed: 2 });
    segNew = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', mode: 'transfer', metrics: metricsNew, seed: 3 });
    const frames = await service.reviewFrames({ projectId: pid });
    valFrameId = frames.find((f) => f.split === 'val')!.frameId;
    trainFrameId = frames.find((f) => f.split === 'train')!.frameId;
  });

  afterAll(async () => {
    await service.close();
    await p.close();
  });

  it('lists the runs with their checkpoints, outputs and mIoU, and picks the newest finished ones', async () => {
    const r = await service.reviewRuns({ projectId: pid });
    expect(r.runs.map((s) => [s.id, s.kind, s.mode, s.status, s.checkpointStep, s.segments, s.depth])).toEqual([
      [segOld.id, 'seg', 'scratch', 'done', 100, true, false],
      [sde.id, 'sde', null, 'done', 100, false, true],
      [segNew.id, 'seg', 'transfer', 'done', 100, true, false],
    ]);
    expect(r.runs[0]!.miou).toBeCloseTo(metricsOld.miou, 9);
    expect(r.runs[1]!.miou).toBeNull();
    expect([r.latestSeg, r.latestDepth]).toEqual([segNew.id, sde.id]);
  });

  it('lists the labelled frames of every split, val first, with ground truth and mask status', async () => {
    const frames = await service.reviewFrames({ projectId: pid });
    expect(frames.map((f) => f.split)).toEqual(['val', 'train', 'train']);
    expect(frames.every((f) => f.hasGroundTruth && f.maskStatus === 'todo' && f.width === W && f.height === H)).toBe(true);
    expect((await service.reviewFrames({ projectId: pid, split: 'train', limit: 1 })).map((f) => f.frameId)).toEqual([frames[1]!.frameId]);
  });

  it("predicts a frame with the newest segmentation run: the model's own classes, at the frame's size, coloured", async () => {
    const pred = await service.reviewPrediction({ projectId: pid, frameId: valFrameId });
    expect([pred.runId, pred.kind, pred.mode, pred.step, pred.width, pred.height]).toEqual([segNew.id, 'seg', 'transfer', 100, W, H]);

    // The same model run by hand on the frame at its input size, sampled at the frame's pixel centres.
    const model = await loadModelFromFolder((await latestModel(p.store, p.project.id, 'seg'))!.modelDir);
    const [own] = await predictSegmentation(model, [await frameImage(p.store, await getFrame(p.store, valFrameId), MODEL_SIZE)]);
    model.dispose();
    const ids = new Uint8Array(Buffer.from(pred.classIdsBase64, 'base64'));
    expect(ids.length).toBe(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const sx = Math.floor(((x + 0.5) * MODEL_SIZE.width) / W);
        const sy = Math.floor(((y + 0.5) * MODEL_SIZE.height) / H);
        expect(ids[y * W + x]).toBe(own![sy * MODEL_SIZE.width + sx]);
      }
    }
    const png = await decodePng(pred.dataUrl);
    expect([png.width, png.height]).toEqual([W, H]);
    for (let i = 0; i < W * H; i++) expect([...png.data.subarray(i * png.channels, i * png.channels + 3)]).toEqual([...TRAIN_CLASSES[ids[i]!]!.color]);
  });

  it('predicts with a chosen older run', async () => {
    const pred = await service.reviewPrediction({ projectId: pid, frameId: valFrameId, runId: segOld.id });
    expect([pred.runId, pred.mode]).toEqual([segOld.id, 'scratch']);
  });

  it('shows the SDE depth of a frame as a colour image at the frame size', async () => {
    const d = await service.reviewDepth({ projectId: pid, frameId: valFrameId });
    expect([d.runId, d.kind, d.step]).toEqual([sde.id, 'sde', 100]);
    const png = await decodePng(d.dataUrl);
    expect([png.width, png.height, png.channels]).toEqual([W, H, 3]);
    expect(png.data.some((v) => v > 0)).toBe(true);
  });

  it("gives the live assist the SDE network's features and the newest segmentation run's class probabilities of each superpixel of a frame", async () => {
    const sp = await service.frameSuperpixels({ projectId: pid, frameId: valFrameId });
    const f = await service.frameAssistFeatures({ projectId: pid, frameId: valFrameId });
    expect([f.sde, f.seg]).toEqual([
      { runId: sde.id, step: 100 },
      { runId: segNew.id, step: 100 },
    ]);
    expect(f.layers).toEqual(['dec_up2_1', 'dec_up0_1', 'disp_0', 'seg_softmax']);
    const bytes = Buffer.from(f.featuresBase64, 'base64');
    expect(bytes.length).toBe(4 * sp.count * f.dims);
    const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
    expect(values.every(Number.isFinite)).toBe(true);
    // The last segDims values of each superpixel are class probabilities: they sum to 1.
    expect(f.segDims).toBe(19);
    for (let k = 0; k < sp.count; k += 7) {
      const row = values.subarray(k * f.dims + f.dims - f.segDims, (k + 1) * f.dims);
      expect(row.reduce((a, v) => a + v, 0)).toBeCloseTo(1, 4);
    }
    // Another segmentation run where named; the SDE part stays.
    const old = await service.frameAssistFeatures({ projectId: pid, frameId: valFrameId, segRunId: segOld.id });
    expect([old.sde?.runId, old.seg?.runId, old.dims]).toEqual([sde.id, segOld.id, f.dims]);
    await expect(service.frameAssistFeatures({ projectId: pid, frameId: valFrameId, runId: segOld.id })).rejects.toThrow(/predicts no depth/);
    await expect(service.frameAssistFeatures({ projectId: pid, frameId: valFrameId, segRunId: sde.id })).rejects.toThrow(/is a sde run, not a segmentation run/);
  });

  it('reviews a val frame: prediction, depth, the dataset label and an error map that marks exactly the wrong pixels', async () => {
    const r = await service.reviewFrame({ projectId: pid, frameId: valFrameId });
    expect([r.frameId, r.split, r.width, r.height]).toEqual([valFrameId, 'val', W, H]);
    expect(r.imageDataUrl.startsWith('data:image/png;base64,')).toBe(true);
    expect(r.prediction?.runId).toBe(segNew.id);
    expect(r.prediction).not.toHaveProperty('classIdsBase64');
    expect(r.depth?.runId).toBe(sde.id);
    expect(r.groundTruth?.source).toBe('dataset');
    expect(r.notes).toEqual([]);

    const ids = new Uint8Array(Buffer.from((await service.reviewPrediction({ projectId: pid, frameId: valFrameId })).classIdsBase64, 'base64'));
    const gt = await decodePng(r.groundTruth!.dataUrl);
    const err = await decodePng(r.error!.dataUrl);
    let labelled = 0;
    let wrong = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        const g = fixtureGt(x);
        const gtColour = g === 255 ? [0, 0, 0] : [...TRAIN_CLASSES[g]!.color];
        expect([...gt.data.subarray(i * gt.channels, i * gt.channels + 3)]).toEqual(gtColour);
        const e = [...err.data.subarray(i * err.channels, i * err.channels + 3)];
        if (g === 255) {
          expect(e).toEqual([0, 0, 0]);
          continue;
        }
        labelled++;
        if (ids[i] !== g) wrong++;
        expect(e).toEqual(ids[i] === g ? [90, 90, 90] : [230, 30, 30]);
      }
    }
    expect(labelled).toBe((W * H * 3) / 4);
    expect([r.error!.labelledPixels, r.error!.wrongPixels]).toEqual([labelled, wrong]);
    expect(r.error!.accuracy).toBeCloseTo((100 * (labelled - wrong)) / labelled, 9);
  });

  it('takes a finished painted mask as the ground truth over the dataset label', async () => {
    const mask = new Uint8Array(W * H).fill(2);
    mask[0] = 255;
    await service.maskSave({ projectId: pid, frameId: trainFrameId, width: W, height: H, maskBase64: Buffer.from(mask).toString('base64'), expectedVersion: 0 });
    expect((await service.reviewFrame({ projectId: pid, frameId: trainFrameId })).groundTruth?.source).toBe('dataset'); // in progress: not yet
    await service.maskSetStatus({ projectId: pid, frameId: trainFrameId, status: 'done' });
    const r = await service.reviewFrame({ projectId: pid, frameId: trainFrameId, segRunId: segOld.id, depthRunId: sde.id });
    expect(r.groundTruth?.source).toBe('mask');
    expect(r.prediction?.runId).toBe(segOld.id);
    const gt = await decodePng(r.groundTruth!.dataUrl);
    expect([...gt.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect([...gt.data.subarray(gt.channels, gt.channels + 3)]).toEqual([...TRAIN_CLASSES[2]!.color]);
    expect(r.error!.labelledPixels).toBe(W * H - 1);
  });

  it("gives the newest segmentation run's per-class IoU and confusion matrix from its checkpoint", async () => {
    const e = (await service.reviewEvaluation({ projectId: pid }))!;
    expect([e.run.id, e.step, e.source]).toEqual([segNew.id, 100, 'checkpoint']);
    expect(e.miou).toBeCloseTo(metricsNew.miou, 9);
    expect(e.perClass.map((c) => c.name)).toEqual(TRAIN_CLASSES.map((c) => c.name));
    expect(e.perClass.map((c) => c.iou)).toEqual(metricsNew.perClassIou);
    expect(e.perClass.slice(17).map((c) => c.iou)).toEqual([null, null]);
    expect(e.confusion).toEqual(metricsNew.confusion);
    expect(e.history).toEqual([{ step: 100, miou: metricsNew.miou }]);
  });

  it('falls back to the logged val/ metrics where the checkpoint holds none', async () => {
    const run = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', metrics: metricsOld, metricsInCheckpoint: false });
    const e = (await service.reviewEvaluation({ projectId: pid, runId: run.id }))!;
    expect([e.source, e.step, e.confusion]).toEqual(['metrics', 100, null]);
    expect(e.miou).toBeCloseTo(metricsOld.miou, 9);
    expect(e.perClass.map((c) => c.iou)).toEqual(metricsOld.perClassIou);
  });

  it('compares two runs class by class with the mIoU difference', async () => {
    const c = await service.reviewCompare({ projectId: pid, runA: segOld.id, runB: segNew.id });
    expect([c.a.run.id, c.b.run.id]).toEqual([segOld.id, segNew.id]);
    expect(c.miouDelta).toBeCloseTo(metricsNew.miou - metricsOld.miou, 9);
    expect(c.miouDelta!).toBeGreaterThan(0);
    for (const [k, row] of c.perClass.entries()) {
      const a = metricsOld.perClassIou[k]!;
      const b = metricsNew.perClassIou[k]!;
      expect([row.classId, row.name, row.a, row.b]).toEqual([k, TRAIN_CLASSES[k]!.name, a, b]);
      if (a === null || b === null) expect(row.delta).toBeNull();
      else expect(row.delta).toBeCloseTo(b - a, 9);
    }
    expect(c.perClass[15]).toMatchObject({ a: null, delta: null }); // only the newer run saw class 15
    expect(c.perClass[15]!.b).not.toBeNull();
  });

  it('refuses runs of the wrong kind or that do not exist, with a clear message', async () => {
    await expect(service.reviewPrediction({ projectId: pid, frameId: valFrameId, runId: sde.id })).rejects.toThrow(/is a sde run, not a segmentation run/);
    await expect(service.reviewDepth({ projectId: pid, frameId: valFrameId, runId: segOld.id })).rejects.toThrow(/predicts no depth/);
    await expect(service.reviewEvaluation({ projectId: pid, runId: 999 })).rejects.toThrow(/no training run 999/);
    await expect(service.reviewCompare({ projectId: pid, runA: segOld.id, runB: sde.id })).rejects.toThrow(/only segmentation runs have an IoU/);
    await expect(service.reviewPrediction({ projectId: pid, frameId: 99999 })).rejects.toThrow(/no frame 99999/);
    expect(() => validateCall('reviewCompare', { projectId: 1, runA: 2, runB: 2 })).toThrow(/two different runs/);
    expect(() => validateCall('reviewFrame', { projectId: 1, frameId: 1, segRunId: 'latest' })).toThrow(/invalid params for reviewFrame/);
    expect(() => validateCall('reviewFrame', { frameId: 1 })).toThrow(/invalid params for reviewFrame: projectId/);
  });

  it('names the checkpoint whose metrics are malformed', async () => {
    const run = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg' });
    // The checkpoint row at step 100 replaced by one whose per-class list is too short.
    await addCheckpoint(p.store, { runId: run.id, step: 100, path: `checkpoints/run-${run.id}/step-0000100`, metrics: { miou: 50, perClassIou: [1, 2, 3] } });
    await expect(service.reviewEvaluation({ projectId: pid, runId: run.id })).rejects.toThrow(new RegExp(`run-${run.id}/step-0000100: checkpoint metrics of run ${run.id} step 100 are malformed: perClassIou`));
  });
});

describe('model cache', () => {
  it('keeps one model per run, loads it once, and replaces it when the run writes a newer checkpoint', async () => {
    await useCpuEngine();
    const service = createService('host', { version: '1.0.0', recentFile: join(dirs('cache-config'), 'recent.json') });
    const data = dirs('cache-data');
    await writeCityscapesFixture(data);
    const dir = join(dirs('cache-project'), 'p');
    await service.projectCreate({ dir, dataset: data, format: 'cityscapes' });
    const p = await openProject(dir);
    const run = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', metrics: segMetrics(0.5) });
    const cache = new ModelCache();
    const first = await cache.get(p.store, run);
    const again = await cache.get(p.store, run);
    expect(again.model).toBe(first.model);
    expect([cache.loads, cache.size, again.step]).toEqual([1, 1, 100]);

    const newer = buildNet('seg', 9);
    await saveCheckpoint(p.store, run.id, 200, newer);
    newer.dispose();
    const third = await cache.get(p.store, run);
    expect(third.model).not.toBe(first.model);
    expect([cache.loads, cache.size, third.step]).toEqual([2, 1, 200]);
    await new Promise((r) => setTimeout(r, 0));
    expect(() => first.model.getWeights()).toThrow(/disposed/);

    cache.clear();
    expect(cache.size).toBe(0);
    await p.close();
    await service.close();
  });

  it('says what is missing in a project without trained models', async () => {
    await useCpuEngine();
    const service = createService('host', { version: '1.0.0', recentFile: join(dirs('empty-config'), 'recent.json') });
    const data = dirs('empty-data');
    await writeCityscapesFixture(data);
    const { projectId: pid } = await service.projectCreate({ dir: join(dirs('empty-project'), 'p'), dataset: data, format: 'cityscapes' });
    const [frame] = await service.reviewFrames({ projectId: pid, split: 'val' });
    const r = await service.reviewFrame({ projectId: pid, frameId: frame!.frameId });
    expect([r.prediction, r.depth, r.error, r.groundTruth?.source]).toEqual([null, null, null, 'dataset']);
    expect(r.notes.join('\n')).toMatch(/prediction: no segmentation run has finished in this project yet[\s\S]*depth: no SDE run/);
    await expect(service.reviewPrediction({ projectId: pid, frameId: frame!.frameId })).rejects.toThrow(/no segmentation run has finished/);
    expect(await service.reviewEvaluation({ projectId: pid })).toBeNull();
    expect(await service.reviewRuns({ projectId: pid })).toEqual({ runs: [], latestSeg: null, latestDepth: null });
    await service.close();
  });

  it('shows the depth of a multi-task segmentation run where no SDE run exists', async () => {
    await useCpuEngine();
    const service = createService('host', { version: '1.0.0', recentFile: join(dirs('mt-config'), 'recent.json') });
    const data = dirs('mt-data');
    await writeCityscapesFixture(data);
    const dir = join(dirs('mt-project'), 'p');
    const { projectId: pid } = await service.projectCreate({ dir, dataset: data, format: 'cityscapes' });
    const p = await openProject(dir);
    const mt = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'multitask', mode: 'multitask', metrics: segMetrics(0.6) });
    const runs = await service.reviewRuns({ projectId: pid });
    expect([runs.latestSeg, runs.latestDepth]).toEqual([mt.id, mt.id]);
    expect(runs.runs[0]).toMatchObject({ segments: true, depth: true });
    const [frame] = await service.reviewFrames({ projectId: pid });
    const r = await service.reviewFrame({ projectId: pid, frameId: frame!.frameId });
    expect([r.prediction?.runId, r.depth?.runId, r.depth?.mode]).toEqual([mt.id, mt.id, 'multitask']);
    await p.close();
    await service.close();
  });
});

describe('review of a CamVid project (11 classes, not 19)', () => {
  it("gives an 11-row IoU table in CamVid's names, and draws ground truth and prediction in CamVid colours", async () => {
    await useCpuEngine();
    const service = createService('host', { version: '1.0.0', recentFile: join(dirs('cv-review-config'), 'recent.json') });
    const data = dirs('cv-review-data');
    await writeCamvidFixture(data);
    const dir = join(dirs('cv-review-project'), 'p');
    const info = await service.projectCreate({ dir, dataset: data });
    expect(info.labelSet.classes.map((c) => c.name)).toEqual(CAMVID_CLASSES.map((c) => c.name));
    const p = await openProject(dir);
    const metrics = segMetrics(0.7, 9, 11);
    const run = await addFinishedRun(p.store, p.project.id, { kind: 'seg', net: 'seg', metrics, numClasses: 11 });
    await p.close();
    const pid = info.projectId;
    expect((await service.reviewRuns({ projectId: pid })).latestSeg).toBe(run.id);
    const e = (await service.reviewEvaluation({ projectId: pid }))!;
    expect(e.run.id).toBe(run.id);
    expect(e.perClass.map((c) => [c.classId, c.name])).toEqual(CAMVID_CLASSES.map((c, k) => [k, c.name]));
    expect(e.perClass.map((c) => c.iou)).toEqual(metrics.perClassIou);
    expect(e.confusion).toHaveLength(11);
    const [frame] = await service.reviewFrames({ projectId: pid, split: 'val' });
    const r = await service.reviewFrame({ projectId: pid, frameId: frame!.frameId });
    // The fixture's CamVid label is (x + 6y) % 12: pixel 0 is sky (0), pixel 11 void.
    const gt = await decodePng(r.groundTruth!.dataUrl);
    expect([...gt.data.subarray(0, 3)]).toEqual([...CAMVID_CLASSES[0]!.color]);
    expect([...gt.data.subarray(8 * gt.channels, 8 * gt.channels + 3)]).toEqual([...CAMVID_CLASSES[8]!.color]);
    const pred = await service.reviewPrediction({ projectId: pid, frameId: frame!.frameId });
    const ids = Buffer.from(pred.classIdsBase64, 'base64');
    expect(Math.max(...ids)).toBeLessThan(11);
    // CamVid has no video, so no SDE run: the live assist gets the segmentation run's 11 class probabilities alone.
    const assist = await service.frameAssistFeatures({ projectId: pid, frameId: frame!.frameId });
    expect([assist.sde, assist.seg?.runId, assist.dims, assist.segDims, assist.layers]).toEqual([null, run.id, 11, 11, ['seg_softmax']]);
    // A run whose evaluation put 95% of the pixels in one class is flagged in the run list, by class name.
    const q = await openProject(dir);
    const collapsed = await addFinishedRun(q.store, q.project.id, {
      kind: 'seg',
      net: 'seg',
      numClasses: 11,
      metrics: { ...segMetrics(0.1, 9, 11), collapsed: true, majorityClass: 3, majorityShare: 0.95 } as ReturnType<typeof segMetrics>,
    });
    await q.close();
    const listed = await service.trainingRuns({ projectId: pid });
    expect(listed.find((r) => r.id === collapsed.id)!.collapsed).toEqual({ className: 'road', share: 0.95 });
    expect(listed.find((r) => r.id === run.id)!.collapsed).toBeNull();
    await service.close();
  });
});
