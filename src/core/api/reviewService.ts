/**
 * Review: what a trained model makes of a frame (prediction, SDE depth, error against the
 * ground truth) and how a segmentation run scored (per-class IoU, confusion matrix), over the
 * open project. Models come from a ModelCache, so looking at frame after frame loads each
 * run's model once.
 *
 * Where the numbers come from (the training loops record them): a segmentation run's
 * checkpoint metrics `{ miou, perClassIou[19] (null = class absent), confusion[19][19]
 * (rows = ground truth) }`, else its logged `val/miou` and `val/iou/<trainId>` metrics.
 */
import { join } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { IGNORE, NUM_TRAIN_CLASSES, TRAIN_CLASSES } from '../data/cityscapesClasses';
import { colouriseDisparity, colouriseTrainIds, errorMap } from '../data/colourise';
import { encodePng, type RasterU8 } from '../data/imageIo';
import { DataError, UsageError } from '../errors';
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
import { projectRun, type ProjectSession } from './projectSession';

// ---------------------------------------------------------------- runs


function outputsOf(store: ProjectStore, run: TrainingRun): { step: number; outputs: string[] } | null {
  const where = runModelDir(store, run);
  if (!where) return null;
  try {
    return { step: where.step, outputs: savedModelOutputs(where.modelDir) };
  } catch {
    return { step: where.step, outputs: [] }; // a checkpoint without a readable model shows nothing
  }
}

function summary(store: ProjectStore, run: TrainingRun): RunSummary {
  const o = outputsOf(store, run);
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
    miou: run.kind === 'seg' ? safeMiou(store, run) : null,
  };
}

/** A run's mIoU for lists: malformed metrics show as none here (reviewEvaluation reports them). */
function safeMiou(store: ProjectStore, run: TrainingRun): number | null {
  try {
    return evaluationNumbers(store, run).miou;
  } catch {
    return null;
  }
}

/** The newest finished run that can show depth: an SDE run, else a multi-task segmentation run. */
function latestDepthRun(store: ProjectStore, projectId: number): TrainingRun | undefined {
  const sde = latestModel(store, projectId, 'sde');
  if (sde) return sde.run;
  const segs = listRuns(store, projectId, 'seg').filter((r) => r.status === 'done').reverse();
  return segs.find((r) => outputsOf(store, r)?.outputs.includes('disp_0'));
}

export function reviewRuns(session: ProjectSession): ReviewRuns {
  const { store, project } = session.open;
  return {
    runs: listRuns(store, project.id).map((r) => summary(store, r)),
    latestSeg: latestModel(store, project.id, 'seg')?.run.id ?? null,
    latestDepth: latestDepthRun(store, project.id)?.id ?? null,
  };
}

// ---------------------------------------------------------------- frames

export function reviewFrames(session: ProjectSession, p: ApiParams<'reviewFrames'>): ReviewFrameEntry[] {
  const { store, project } = session.open;
  const status = new Map(listMasks(store, { projectId: project.id }).map((m) => [m.frameId, m.status]));
  const seen = new Set<number>();
  const frames: Frame[] = [];
  const add = (f: Frame): void => {
    if (seen.has(f.id) || (p.split && f.split !== p.split)) return;
    seen.add(f.id);
    frames.push(f);
  };
  const ids = new Set(session.datasets().map((d) => d.id));
  for (const split of ['val', 'train', 'test'] as const) {
    for (const d of ids) listFrames(store, { datasetId: d, split, keyframesOnly: true }).forEach(add);
  }
  for (const s of listSuggestions(store, project.id)) add(getFrame(store, s.frameId));
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

function frameInProject(session: ProjectSession, frameId: number): Frame {
  const { store, project } = session.open;
  let frame: Frame;
  try {
    frame = getFrame(store, frameId);
  } catch {
    throw new UsageError(`there is no frame ${frameId} in this project`);
  }
  if (frameDataset(store, frame).projectId !== project.id) throw new DataError(`frame ${frameId}`, 'belongs to another project');
  return frame;
}

const ref = (m: CachedModel): ModelRef => ({ runId: m.run.id, kind: m.run.kind, mode: m.run.mode, step: m.step });

/** The segmentation model to use: the named run's, else the newest finished segmentation run's. */
async function segModel(session: ProjectSession, cache: ModelCache, runId: number | undefined): Promise<CachedModel> {
  const { store, project } = session.open;
  let run: TrainingRun;
  if (runId !== undefined) {
    run = projectRun(session, runId);
    if (run.kind !== 'seg') throw new UsageError(`training run ${runId} is a ${run.kind} run, not a segmentation run`);
  } else {
    const latest = latestModel(store, project.id, 'seg');
    if (!latest) throw new UsageError('no segmentation run has finished in this project yet: train one first');
    run = latest.run;
  }
  const m = await cache.get(store, run);
  if (!hasOutput(m.model, 'seg')) throw new DataError(m.modelDir, `training run ${run.id}'s model has no 'seg' output (outputs: ${m.model.outputNames.join(', ')})`);
  return m;
}

/** The depth model to use: the named run's (SDE or multi-task), else the newest that can show depth. */
async function depthModel(session: ProjectSession, cache: ModelCache, runId: number | undefined): Promise<CachedModel> {
  const { store, project } = session.open;
  let run: TrainingRun | undefined;
  if (runId !== undefined) {
    run = projectRun(session, runId);
    if (run.kind === 'student') throw new UsageError(`training run ${runId} is a selection student, not an SDE or segmentation run`);
  } else {
    run = latestDepthRun(store, project.id);
    if (!run) throw new UsageError('no SDE run (or multi-task segmentation run) has finished in this project yet: train one first');
  }
  const m = await cache.get(store, run);
  if (!hasOutput(m.model, 'disp_0')) {
    throw new UsageError(`training run ${run.id}'s model predicts no depth (outputs: ${m.model.outputNames.join(', ')})`);
  }
  return m;
}

async function predictIds(session: ProjectSession, m: CachedModel, frame: Frame): Promise<Uint8Array> {
  const size = modelInputSize(m.model);
  const image = await frameImage(session.open.store, frame, size);
  const [ids] = await predictSegmentation(m.model, [image], 1);
  return resizeNearest(ids!, size.width, size.height, frame.width, frame.height);
}

export async function reviewPrediction(session: ProjectSession, cache: ModelCache, p: ApiParams<'reviewPrediction'>): Promise<FramePrediction> {
  const frame = frameInProject(session, p.frameId);
  const m = await segModel(session, cache, p.runId);
  const ids = await predictIds(session, m, frame);
  return {
    ...ref(m),
    frameId: frame.id,
    width: frame.width,
    height: frame.height,
    dataUrl: await pngDataUrl(colouriseTrainIds(frame.width, frame.height, ids)),
    classIdsBase64: Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength).toString('base64'),
  };
}

export async function reviewDepth(session: ProjectSession, cache: ModelCache, p: ApiParams<'reviewDepth'>): Promise<FrameDepthImage> {
  const frame = frameInProject(session, p.frameId);
  return depthImage(session, await depthModel(session, cache, p.runId), frame);
}

async function depthImage(session: ProjectSession, m: CachedModel, frame: Frame): Promise<FrameDepthImage> {
  const size = modelInputSize(m.model);
  const image = await frameImage(session.open.store, frame, size);
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
  const row = getMaskRow(store, frame.id);
  const mask = row?.maskPath ? await loadMask(store, frame.id) : undefined;
  if (mask && row?.status === 'done') return { source: 'mask', ids: mask.mask.data };
  const gt = await frameGroundTruth(store, frame, { height: frame.height, width: frame.width });
  if (gt) return { source: 'dataset', ids: gt.data };
  if (mask && mask.mask.data.some((v) => v !== IGNORE)) return { source: 'mask', ids: mask.mask.data };
  return null;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Marks a promise as handled until the Promise.all that awaits it (its rejection still arrives there). */
function awaitedLater<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

export async function reviewFrame(session: ProjectSession, cache: ModelCache, p: ApiParams<'reviewFrame'>): Promise<ReviewFrameData> {
  const { store } = session.open;
  const frame = frameInProject(session, p.frameId);
  const notes: string[] = [];
  const { width, height } = frame;
  // Reading and encoding run in sharp's threads while the models predict.
  const imageP = awaitedLater(frameGet(session, frame.id));
  const gtP = awaitedLater(groundTruth(store, frame));

  let ids: Uint8Array | null = null;
  let prediction: Promise<ReviewFrameData['prediction']> = Promise.resolve(null);
  try {
    const m = await segModel(session, cache, p.segRunId);
    const predicted = await predictIds(session, m, frame);
    ids = predicted;
    prediction = awaitedLater(pngDataUrl(colouriseTrainIds(width, height, predicted)).then((dataUrl) => ({ ...ref(m), frameId: frame.id, width, height, dataUrl })));
  } catch (e) {
    if (p.segRunId !== undefined && !(e instanceof UsageError && /no checkpoint/.test(e.message))) throw e;
    notes.push(`prediction: ${message(e)}`);
  }

  let depth: Promise<FrameDepthImage | null> = Promise.resolve(null);
  try {
    const m = await depthModel(session, cache, p.depthRunId);
    depth = awaitedLater(depthImage(session, m, frame));
  } catch (e) {
    if (p.depthRunId !== undefined && !(e instanceof UsageError && /no checkpoint/.test(e.message))) throw e;
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
      if (g === IGNORE) continue;
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
  const gtUrl = gt ? pngDataUrl(colouriseTrainIds(width, height, gt.ids)) : Promise.resolve(null);
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

const CheckpointMetrics = z
  .object({
    miou: z.number(),
    perClassIou: z.array(z.number().nullable()).length(NUM_TRAIN_CLASSES).optional(),
    confusion: z.array(z.array(z.number().min(0)).length(NUM_TRAIN_CLASSES)).length(NUM_TRAIN_CLASSES).optional(),
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
function evaluationNumbers(store: ProjectStore, run: TrainingRun): Numbers {
  for (const ckpt of listCheckpoints(store, run.id).reverse()) {
    if (!('miou' in ckpt.metrics)) continue;
    const parsed = CheckpointMetrics.safeParse(ckpt.metrics);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(metrics)'}: ${i.message}`).join('; ');
      throw new DataError(join(store.dir, ckpt.path), `checkpoint metrics of run ${run.id} step ${ckpt.step} are malformed: ${issues}`);
    }
    const m = parsed.data;
    return {
      step: ckpt.step,
      source: 'checkpoint',
      miou: finiteOrNull(m.miou),
      perClass: m.perClassIou ? m.perClassIou.map(finiteOrNull) : lastPerClass(store, run.id, ckpt.step),
      confusion: m.confusion ?? null,
    };
  }
  const history = metricHistory(store, run.id, 'val/miou').filter((p) => Number.isFinite(p.value));
  const last = history[history.length - 1];
  if (!last) return { step: null, source: 'none', miou: null, perClass: new Array<null>(NUM_TRAIN_CLASSES).fill(null), confusion: null };
  return { step: last.step, source: 'metrics', miou: last.value, perClass: lastPerClass(store, run.id, last.step), confusion: null };
}

/** val/iou/<trainId> at `step` (null where absent or NaN). */
function lastPerClass(store: ProjectStore, runId: number, step: number): (number | null)[] {
  return TRAIN_CLASSES.map((c) => finiteOrNull(metricHistory(store, runId, `val/iou/${c.trainId}`).find((p) => p.step === step)?.value));
}

function evaluation(store: ProjectStore, run: TrainingRun): RunEvaluation {
  const n = evaluationNumbers(store, run);
  const perClass: ClassIou[] = TRAIN_CLASSES.map((c, k) => ({ trainId: c.trainId, name: c.name, iou: n.perClass[k] ?? null }));
  return {
    run: summary(store, run),
    step: n.step,
    source: n.source,
    miou: n.miou,
    perClass,
    confusion: n.confusion,
    history: metricHistory(store, run.id, 'val/miou')
      .filter((p) => Number.isFinite(p.value))
      .map((p) => ({ step: p.step, miou: p.value })),
  };
}

function segRun(session: ProjectSession, runId: number): TrainingRun {
  const run = projectRun(session, runId);
  if (run.kind !== 'seg') throw new UsageError(`training run ${runId} is a ${run.kind} run: only segmentation runs have an IoU`);
  return run;
}

/** The named segmentation run's evaluation, else the newest finished one's; null where none finished. */
export function reviewEvaluation(session: ProjectSession, p: ApiParams<'reviewEvaluation'>): RunEvaluation | null {
  const { store, project } = session.open;
  if (p.runId !== undefined) return evaluation(store, segRun(session, p.runId));
  const runs = listRuns(store, project.id, 'seg').filter((r) => r.status === 'done');
  const run = latestModel(store, project.id, 'seg')?.run ?? runs[runs.length - 1];
  return run ? evaluation(store, run) : null;
}

export function reviewCompare(session: ProjectSession, p: ApiParams<'reviewCompare'>): RunComparison {
  const { store } = session.open;
  const a = evaluation(store, segRun(session, p.runA));
  const b = evaluation(store, segRun(session, p.runB));
  return {
    a,
    b,
    miouDelta: a.miou !== null && b.miou !== null ? b.miou - a.miou : null,
    perClass: TRAIN_CLASSES.map((c, k) => {
      const va = a.perClass[k]!.iou;
      const vb = b.perClass[k]!.iou;
      return { trainId: c.trainId, name: c.name, a: va, b: vb, delta: va !== null && vb !== null ? vb - va : null };
    }),
  };
}
