/**
 * Review: what a trained model makes of a frame (prediction, SDE depth, error against the
 * ground truth) and how a segmentation run scored (per-class IoU, confusion matrix), over the
 * open project. Models come from a ModelCache, so looking at frame after frame loads each
 * run's model once.
 *
 * Where the numbers come from (the training loops record them): a segmentation run's
 * checkpoint metrics `{ miou, perClassIou[n] (null = class absent), confusion[n][n]
 * (rows = ground truth) }` for the n classes of the project's label set, else its logged
 * `val/miou` and `val/iou/<classId>` metrics.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { colouriseClassIds, colouriseDisparity, errorMap } from '../data/colourise';
import { encodePng, type RasterU8 } from '../data/imageIo';
import { DataError, NoCheckpointError, UsageError } from '../errors';
import { IGNORE_ID, type LabelSet } from '../labels';
import { predictDisparity, predictSegmentation } from '../ml/predict';
import { frameDataset, frameGroundTruth, frameImage, hasOutput, modelInputSize } from '../project/modelOutputs';
import { latestModel } from '../project/projectModels';
import {
  getFrame,
  getMaskRow,
  listCheckpoints,
  listFrames,
  listMasks,
  listRuns,
  listSuggestions,
  loadMask,
  metricHistory,
  type Frame,
  type ProjectStore,
  type TrainingRun,
} from '../store';
import type {
  ApiParams,
  ClassIou,
  FrameDepthImage,
  FramePrediction,
  ModelRef,
  ReviewFrameData,
  ReviewFrameEntry,
  ReviewRuns,
  RunComparison,
  RunEvaluation,
  RunSummary,
} from './contract';
import { frameGet } from './labellingService';
import { runModelDir, savedModelOutputs, type CachedModel, type ModelCache } from './modelCache';
import type { OpenProject } from '../project/openProject';
import { projectDatasets, projectRun } from './projectSession';

// ---------------------------------------------------------------- runs


async function outputsOf(store: ProjectStore, run: TrainingRun): Promise<{ step: number; outputs: string[] } | null> {
  const where = await runModelDir(store, run);
  if (!where) return null;
  try {
    return { step: where.step, outputs: savedModelOutputs(where.modelDir) };
  } catch {
    return { step: where.step, outputs: [] }; // a checkpoint without a readable model shows nothing
  }
}

async function summary(store: ProjectStore, run: TrainingRun, labelSet: LabelSet): Promise<RunSummary> {
  const o = await outputsOf(store, run);
  return {
    id: run.id,
    kind: run.kind,
    mode: run.mode,
    status: run.status,
    parentRunId: run.parentRunId,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    checkpointStep: o?.step ?? null,
    segments: o?.outputs.includes('seg') ?? false,
    depth: o?.outputs.includes('disp_0') ?? false,
    miou: run.kind === 'seg' ? await safeMiou(store, run, labelSet) : null,
  };
}

/** A run's mIoU for lists: malformed metrics show as none here (reviewEvaluation reports them). */
async function safeMiou(store: ProjectStore, run: TrainingRun, labelSet: LabelSet): Promise<number | null> {
  try {
    return (await evaluationNumbers(store, run, labelSet)).miou;
  } catch {
    return null;
  }
}

/** The newest finished run that can show depth: an SDE run, else a multi-task segmentation run. */
export async function latestDepthRun(store: ProjectStore, projectId: number): Promise<TrainingRun | undefined> {
  const sde = await latestModel(store, projectId, 'sde');
  if (sde) return sde.run;
  const segs = (await listRuns(store, projectId, 'seg')).filter((r) => r.status === 'done').reverse();
  for (const r of segs) if ((await outputsOf(store, r))?.outputs.includes('disp_0')) return r;
  return undefined;
}

export async function reviewRuns(open: OpenProject): Promise<ReviewRuns> {
  const { store, project } = open;
  return {
    runs: await Promise.all((await listRuns(store, project.id)).map((r) => summary(store, r, project.labelSet))),
    latestSeg: (await latestModel(store, project.id, 'seg'))?.run.id ?? null,
    latestDepth: (await latestDepthRun(store, project.id))?.id ?? null,
  };
}

// ---------------------------------------------------------------- frames

export async function reviewFrames(open: OpenProject, p: ApiParams<'reviewFrames'>): Promise<ReviewFrameEntry[]> {
  const { store, project } = open;
  const status = new Map((await listMasks(store, { projectId: project.id })).map((m) => [m.frameId, m.status]));
  const seen = new Set<number>();
  const frames: Frame[] = [];
  const add = (f: Frame): void => {
    if (seen.has(f.id) || (p.split && f.split !== p.split)) return;
    seen.add(f.id);
    frames.push(f);
  };
  const ids = new Set((await projectDatasets(open)).map((d) => d.id));
  for (const split of ['val', 'train', 'test'] as const) {
    for (const d of ids) (await listFrames(store, { datasetId: d, split, keyframesOnly: true })).forEach(add);
  }
  for (const s of await listSuggestions(store, project.id)) add(await getFrame(store, s.frameId));
  const entries = frames.map((f) => ({
    frameId: f.id,
    imagePath: f.imagePath,
    split: f.split,
    width: f.width,
    height: f.height,
    hasGroundTruth: f.gtLabelPath !== null || status.get(f.id) === 'done',
    maskStatus: status.get(f.id) ?? 'todo',
  }));
  return p.limit ? entries.slice(0, p.limit) : entries;
}

/** Class ids from the model's size to `w` x `h`, nearest neighbour (pixel centres). */
export function resizeNearest(ids: Uint8Array, sw: number, sh: number, w: number, h: number): Uint8Array {
  if (sw === w && sh === h) return ids;
  const out = new Uint8Array(w * h);
  const xs = new Int32Array(w);
  for (let x = 0; x < w; x++) xs[x] = Math.min(sw - 1, Math.floor(((x + 0.5) * sw) / w));
  for (let y = 0; y < h; y++) {
    const row = Math.min(sh - 1, Math.floor(((y + 0.5) * sh) / h)) * sw;
    const o = y * w;
    for (let x = 0; x < w; x++) out[o + x] = ids[row + xs[x]!]!;
  }
  return out;
}

const PNG_LEVEL = 1;

/**
 * A raster as a PNG data URL, resized (bilinear) to `size` where given. Fast compression:
 * the URL only crosses the loopback or IPC, and class maps compress well even so.
 */
async function pngDataUrl(r: RasterU8, size?: { width: number; height: number }): Promise<string> {
  let png: Buffer;
  if (size && (size.width !== r.width || size.height !== r.height)) {
    png = await sharp(r.data, { raw: { width: r.width, height: r.height, channels: r.channels as 3 } })
      .resize(size.width, size.height, { fit: 'fill', kernel: 'linear' })
      .png({ compressionLevel: PNG_LEVEL })
      .toBuffer();
  } else {
    png = await encodePng(r, PNG_LEVEL);
  }
  return `data:image/png;base64,${png.toString('base64')}`;
}

async function frameInProject(open: OpenProject, frameId: number): Promise<Frame> {
  const { store, project } = open;
  let frame: Frame;
  try {
    frame = await getFrame(store, frameId);
  } catch {
    throw new UsageError(`there is no frame ${frameId} in this project`);
  }
  if ((await frameDataset(store, frame)).projectId !== project.id) throw new DataError(`frame ${frameId}`, 'belongs to another project');
  return frame;
}

const ref = (m: CachedModel): ModelRef => ({ runId: m.run.id, kind: m.run.kind, mode: m.run.mode, step: m.step });

/** The segmentation model to use: the named run's, else the newest finished segmentation run's. */
export async function segModel(open: OpenProject, cache: ModelCache, runId: number | undefined): Promise<CachedModel> {
  const { store, project } = open;
  let run: TrainingRun;
  if (runId !== undefined) {
    run = await projectRun(open, runId);
    if (run.kind !== 'seg') throw new UsageError(`training run ${runId} is a ${run.kind} run, not a segmentation run`);
  } else {
    const latest = await latestModel(store, project.id, 'seg');
    if (!latest) throw new UsageError('no segmentation run has finished in this project yet: train one first');
    run = latest.run;
  }
  const m = await cache.get(store, run);
  if (!hasOutput(m.model, 'seg')) throw new DataError(m.modelDir, `training run ${run.id}'s model has no 'seg' output (outputs: ${m.model.outputNames.join(', ')})`);
  return m;
}

/** The depth model to use: the named run's (SDE or multi-task), else the newest that can show depth. */
export async function depthModel(open: OpenProject, cache: ModelCache, runId: number | undefined): Promise<CachedModel> {
  const { store, project } = open;
  let run: TrainingRun | undefined;
  if (runId !== undefined) {
    run = await projectRun(open, runId);
    if (run.kind === 'student') throw new UsageError(`training run ${runId} is a selection student, not an SDE or segmentation run`);
  } else {
    run = await latestDepthRun(store, project.id);
    if (!run) throw new UsageError('no SDE run (or multi-task segmentation run) has finished in this project yet: train one first');
  }
  const m = await cache.get(store, run);
  if (!hasOutput(m.model, 'disp_0')) {
    throw new UsageError(`training run ${run.id}'s model predicts no depth (outputs: ${m.model.outputNames.join(', ')})`);
  }
  return m;
}

async function predictIds(open: OpenProject, m: CachedModel, frame: Frame): Promise<Uint8Array> {
  const size = modelInputSize(m.model);
  const image = await frameImage(open.store, frame, size);
  const [ids] = await predictSegmentation(m.model, [image], 1);
  return resizeNearest(ids!, size.width, size.height, frame.width, frame.height);
}

export async function reviewPrediction(open: OpenProject, cache: ModelCache, p: ApiParams<'reviewPrediction'>): Promise<FramePrediction> {
  const frame = await frameInProject(open, p.frameId);
  const m = await segModel(open, cache, p.runId);
  const ids = await predictIds(open, m, frame);
  return {
    ...ref(m),
    frameId: frame.id,
    width: frame.width,
    height: frame.height,
    dataUrl: await pngDataUrl(colouriseClassIds(frame.width, frame.height, ids, open.project.labelSet)),
    classIdsBase64: Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength).toString('base64'),
  };
}

export async function reviewDepth(open: OpenProject, cache: ModelCache, p: ApiParams<'reviewDepth'>): Promise<FrameDepthImage> {
  const frame = await frameInProject(open, p.frameId);
  return depthImage(open, await depthModel(open, cache, p.runId), frame);
}

async function depthImage(open: OpenProject, m: CachedModel, frame: Frame): Promise<FrameDepthImage> {
  const size = modelInputSize(m.model);
  const image = await frameImage(open.store, frame, size);
  const [disp] = await predictDisparity(m.model, [image], 1);
  return {
    ...ref(m),
    frameId: frame.id,
    width: frame.width,
    height: frame.height,
    dataUrl: await pngDataUrl(colouriseDisparity(size.width, size.height, disp!), frame),
  };
}

/** The frame's ground truth at its own size: a finished mask, else the dataset's label, else an unfinished mask. */
async function groundTruth(store: ProjectStore, frame: Frame): Promise<{ source: 'mask' | 'dataset'; ids: Uint8Array } | null> {
  const row = await getMaskRow(store, frame.id);
  const mask = row?.maskPath ? await loadMask(store, frame.id) : undefined;
  if (mask && row?.status === 'done') return { source: 'mask', ids: mask.mask.data };
  const gt = await frameGroundTruth(store, frame, { height: frame.height, width: frame.width });
  if (gt) return { source: 'dataset', ids: gt.data };
  if (mask && mask.mask.data.some((v) => v !== IGNORE_ID)) return { source: 'mask', ids: mask.mask.data };
  return null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Marks a promise as handled until the Promise.all that awaits it (its rejection still arrives there). */
function awaitedLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export async function reviewFrame(open: OpenProject, cache: ModelCache, p: ApiParams<'reviewFrame'>): Promise<ReviewFrameData> {
  const { store, project } = open;
  const { labelSet } = project;
  const frame = await frameInProject(open, p.frameId);
  const notes: string[] = [];
  const { width, height } = frame;
  // Reading and encoding run in sharp's threads while the models predict.
  const imageP = awaitedLater(frameGet(open, frame.id));
  const gtP = awaitedLater(groundTruth(store, frame));

  let ids: Uint8Array | null = null;
  let prediction: Promise<ReviewFrameData['prediction']> = Promise.resolve(null);
  try {
    const m = await segModel(open, cache, p.segRunId);
    const predicted = await predictIds(open, m, frame);
    ids = predicted;
    prediction = awaitedLater(pngDataUrl(colouriseClassIds(width, height, predicted, labelSet)).then((dataUrl) => ({ ...ref(m), frameId: frame.id, width, height, dataUrl })));
  } catch (e) {
    if (p.segRunId !== undefined && !(e instanceof NoCheckpointError)) throw e;
    notes.push(`prediction: ${message(e)}`);
  }

  let depth: Promise<FrameDepthImage | null> = Promise.resolve(null);
  try {
    const m = await depthModel(open, cache, p.depthRunId);
    depth = awaitedLater(depthImage(open, m, frame));
  } catch (e) {
    if (p.depthRunId !== undefined && !(e instanceof NoCheckpointError)) throw e;
    notes.push(`depth: ${message(e)}`);
  }

  const gt = await gtP;
  if (!gt) notes.push('ground truth: this frame has no label (neither from the dataset nor painted)');
  let error: Promise<ReviewFrameData['error']> = Promise.resolve(null);
  if (gt && ids) {
    let labelled = 0;
    let wrong = 0;
    for (let i = 0; i < gt.ids.length; i++) {
      const g = gt.ids[i]!;
      if (g === IGNORE_ID) continue;
      labelled++;
      if (ids[i] !== g) wrong++;
    }
    error = pngDataUrl(errorMap(width, height, ids, gt.ids)).then((dataUrl) => ({
      dataUrl,
      labelledPixels: labelled,
      wrongPixels: wrong,
      accuracy: labelled > 0 ? (100 * (labelled - wrong)) / labelled : 0,
    }));
  }
  const gtUrl = gt ? pngDataUrl(colouriseClassIds(width, height, gt.ids, labelSet)) : Promise.resolve(null);
  const [image, pred, dep, err, gtDataUrl] = await Promise.all([imageP, prediction, depth, error, gtUrl]);
  return {
    frameId: frame.id,
    imagePath: frame.imagePath,
    split: frame.split,
    width,
    height,
    imageDataUrl: image.imageDataUrl,
    prediction: pred,
    depth: dep,
    groundTruth: gt && gtDataUrl ? { source: gt.source, dataUrl: gtDataUrl } : null,
    error: err,
    notes,
  };
}

// ---------------------------------------------------------------- evaluation

/** What a segmentation checkpoint records for a label set of `n` classes. */
const checkpointMetrics = (n: number) =>
  z
    .object({
      miou: z.number(),
      perClassIou: z.array(z.number().nullable()).length(n).optional(),
      confusion: z.array(z.array(z.number().min(0)).length(n)).length(n).optional(),
    })
    .loose();

interface Numbers {
  step: number | null;
  source: RunEvaluation['source'];
  miou: number | null;
  perClass: (number | null)[];
  confusion: number[][] | null;
}

const finiteOrNull = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** The newest recorded evaluation of a segmentation run: a checkpoint's metrics, else the val/ metrics. */
async function evaluationNumbers(store: ProjectStore, run: TrainingRun, labelSet: LabelSet): Promise<Numbers> {
  const n = labelSet.classes.length;
  for (const ckpt of (await listCheckpoints(store, run.id)).reverse()) {
    if (!('miou' in ckpt.metrics)) continue;
    const parsed = checkpointMetrics(n).safeParse(ckpt.metrics);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(metrics)'}: ${i.message}`).join('; ');
      throw new DataError(join(store.dir, ckpt.path), `checkpoint metrics of run ${run.id} step ${ckpt.step} are malformed: ${issues}`);
    }
    const m = parsed.data;
    return {
      step: ckpt.step,
      source: 'checkpoint',
      miou: finiteOrNull(m.miou),
      perClass: m.perClassIou ? m.perClassIou.map(finiteOrNull) : await lastPerClass(store, run.id, ckpt.step, n),
      confusion: m.confusion ?? null,
    };
  }
  const history = (await metricHistory(store, run.id, 'val/miou')).filter((p) => Number.isFinite(p.value));
  const last = history[history.length - 1];
  if (!last) return { step: null, source: 'none', miou: null, perClass: new Array<null>(n).fill(null), confusion: null };
  return { step: last.step, source: 'metrics', miou: last.value, perClass: await lastPerClass(store, run.id, last.step, n), confusion: null };
}

/** val/iou/<classId> at `step` for each of `n` classes (null where absent or NaN). */
async function lastPerClass(store: ProjectStore, runId: number, step: number, n: number): Promise<(number | null)[]> {
  const out: (number | null)[] = [];
  for (let k = 0; k < n; k++) out.push(finiteOrNull((await metricHistory(store, runId, `val/iou/${k}`)).find((p) => p.step === step)?.value));
  return out;
}

async function evaluation(store: ProjectStore, run: TrainingRun, labelSet: LabelSet): Promise<RunEvaluation> {
  const n = await evaluationNumbers(store, run, labelSet);
  const perClass: ClassIou[] = labelSet.classes.map((c, k) => ({ classId: c.id, name: c.name, iou: n.perClass[k] ?? null }));
  return {
    run: await summary(store, run, labelSet),
    step: n.step,
    source: n.source,
    miou: n.miou,
    perClass,
    confusion: n.confusion,
    history: (await metricHistory(store, run.id, 'val/miou'))
      .filter((p) => Number.isFinite(p.value))
      .map((p) => ({ step: p.step, miou: p.value })),
  };
}

async function segRun(open: OpenProject, runId: number): Promise<TrainingRun> {
  const run = await projectRun(open, runId);
  if (run.kind !== 'seg') throw new UsageError(`training run ${runId} is a ${run.kind} run: only segmentation runs have an IoU`);
  return run;
}

/** The named segmentation run's evaluation, else the newest finished one's; null where none finished. */
export async function reviewEvaluation(open: OpenProject, p: ApiParams<'reviewEvaluation'>): Promise<RunEvaluation | null> {
  const { store, project } = open;
  if (p.runId !== undefined) return await evaluation(store, await segRun(open, p.runId), project.labelSet);
  const runs = (await listRuns(store, project.id, 'seg')).filter((r) => r.status === 'done');
  const run = (await latestModel(store, project.id, 'seg'))?.run ?? runs[runs.length - 1];
  return run ? await evaluation(store, run, project.labelSet) : null;
}

export async function reviewCompare(open: OpenProject, p: ApiParams<'reviewCompare'>): Promise<RunComparison> {
  const { store, project } = open;
  const a = await evaluation(store, await segRun(open, p.runA), project.labelSet);
  const b = await evaluation(store, await segRun(open, p.runB), project.labelSet);
  return {
    a,
    b,
    miouDelta: a.miou !== null && b.miou !== null ? b.miou - a.miou : null,
    perClass: project.labelSet.classes.map((c, k) => {
      const va = a.perClass[k]!.iou;
      const vb = b.perClass[k]!.iou;
      return { classId: c.id, name: c.name, a: va, b: vb, delta: va !== null && vb !== null ? vb - va : null };
    }),
  };
}
