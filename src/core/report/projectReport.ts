/**
 * The report of a project's loop (demo or CLI): what the data was, how training went (loss
 * and metric curves from the runs' stored history), which frames the selection chose and why,
 * what the segmentation model sees on validation frames (image / ground truth / prediction /
 * depth / error map), the per-class IoU and, where it was run, the ablation. Everything shown
 * comes from the project's store and models; `metrics.json` holds the same numbers.
 */
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { IGNORE_ID } from '../labels';
import { colouriseClassIds, colouriseDisparity, errorMap } from '../data/colourise';
import { encodePng, type RasterU8 } from '../data/imageIo';
import { writeFileAtomic } from '../fsAtomic';
import { loadModelFromFolder } from '../ml/nets';
import { predictDisparity, predictSegmentation } from '../ml/predict';
import { evaluateModel, type Evaluation } from '../project/evaluateModel';
import { frameOutputLayout } from '../project/frameOutputs';
import { frameGroundTruth, frameImage, hasOutput, modelInputSize } from '../project/modelOutputs';
import type { OpenProject } from '../project/openProject';
import { latestModel, MODEL_SUBDIR } from '../project/projectModels';
import {
  getFrame,
  getRun,
  latestCheckpoint,
  listClips,
  listDatasets,
  listFrames,
  listMasks,
  listPicks,
  listSelectionRounds,
  metricHistory,
  countFrames,
  type Frame,
  type JsonObject,
  type MetricPoint,
  type TrainingRun,
} from '../store';
import { renderReportHtml, type ReportData } from './htmlReport';
import type { Series } from './svgPlot';

type RoundOfPicks = ReportMetrics['selection']['rounds'][number];

/** The ablation's settings, in the order the table lists them. */
export const ABLATION_ROWS = [
  { key: 'scratch', name: 'scratch', note: 'segmentation net from random weights, labelled frames only' },
  { key: 'transfer', name: 'transfer', note: 'initialised from the SDE depth network (way 1)' },
  { key: 'multitask', name: 'multi-task', note: 'transfer + the SDE loss kept on unlabelled frames (way 1)' },
  { key: 'classmix', name: 'multi-task + ClassMix', note: 'the mixing baseline, with a mean teacher' },
  { key: 'depthmix', name: 'multi-task + DepthMix', note: 'mixing by which image is closer (way 2)' },
  { key: 'full', name: 'all labels', note: 'transfer with every train frame labelled: the fully supervised reference' },
] as const;
export type AblationKey = (typeof ABLATION_ROWS)[number]['key'];

/** An ablation run elsewhere (e.g. the quality benchmark): validation mIoU in % per setting. */
export interface AblationInput {
  readonly miou: Partial<Record<AblationKey, number | null>>;
  /** What was held fixed (label budget, steps, size). */
  readonly caption?: string;
}

export interface ProjectReportOptions {
  readonly title?: string;
  readonly subtitle?: string;
  /** The segmentation run to report (default: the newest finished one). */
  readonly segRunId?: number;
  /** The SDE run (default: the segmentation run's parent, else the newest finished one). */
  readonly sdeRunId?: number;
  /** The segmentation model's evaluation on the val split (computed when absent). */
  readonly evaluation?: Evaluation;
  /** Validation frames in the image grid (default 6). */
  readonly gridFrames?: number;
  readonly ablation?: AblationInput;
  readonly notes?: readonly string[];
  /** Recorded in metrics.json as they are (e.g. the demo's settings). */
  readonly settings?: JsonObject;
  /** Seconds per stage, shown and recorded. */
  readonly timings?: Readonly<Record<string, number>>;
  /** Thumbnail height of the selected frames (default 48). */
  readonly thumbnailHeight?: number;
  readonly now?: () => Date;
}

/** The numbers of the report, as metrics.json holds them. */
export interface ReportMetrics {
  createdAt: string;
  project: string;
  dataset: {
    datasets: { name: string; format: string; root: string }[];
    clips: { train: number; val: number };
    videoFrames: { train: number; val: number };
    framesToLabel: { train: number; val: number };
    labelledTrainFrames: number;
    imageSize: { height: number; width: number } | null;
  };
  sde: null | {
    runId: number;
    status: string;
    steps: number | null;
    config: JsonObject;
    finalLoss: number | null;
    depth: JsonObject;
  };
  selection: {
    rounds: {
      roundId: number;
      method: string;
      basis: string | null;
      picks: { rank: number; frameId: number; frame: string; score: number | null; diversity: number | null; uncertainty: number | null }[];
    }[];
  };
  segmentation: null | {
    runId: number;
    mode: string | null;
    mix: string | null;
    status: string;
    steps: number | null;
    labelledFrames: number | null;
    config: JsonObject;
    finalLoss: number | null;
    /** Validation, % (from evaluateModel over the whole val split). */
    miou: number | null;
    pixelAccuracy: number | null;
    perClassIou: Record<string, number | null>;
    evalFrames: number;
  };
  /** The segmentation model's own depth (multi-task) or the SDE model's, on val, after median scaling. */
  depth: null | (JsonObject & { source: string });
  ablation: null | { caption: string | null; miou: Partial<Record<AblationKey, number | null>> };
  timings: Record<string, number>;
  settings: JsonObject | null;
}

const finiteOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** At most `max` points: means over equal buckets of steps (a readable curve from thousands of steps). */
export function downsample(points: readonly MetricPoint[], max = 300): { x: number; y: number }[] {
  const finite = points.filter((p) => Number.isFinite(p.value));
  if (finite.length <= max) return finite.map((p) => ({ x: p.step, y: p.value }));
  const out: { x: number; y: number }[] = [];
  const per = finite.length / max;
  for (let b = 0; b < max; b++) {
    const part = finite.slice(Math.floor(b * per), Math.floor((b + 1) * per));
    if (part.length === 0) continue;
    out.push({ x: part.reduce((a, p) => a + p.step, 0) / part.length, y: part.reduce((a, p) => a + p.value, 0) / part.length });
  }
  return out;
}

async function series(p: OpenProject, runId: number, names: readonly [string, string][]): Promise<Series[]> {
  const all: Series[] = [];
  for (const [metric, label] of names) all.push({ name: label, points: downsample(await metricHistory(p.store, runId, metric)) });
  return all.filter((s) => s.points.length > 0);
}

async function lastValue(p: OpenProject, runId: number, name: string): Promise<number | null> {
  const h = (await metricHistory(p.store, runId, name)).filter((x) => Number.isFinite(x.value));
  if (h.length === 0) return null;
  // The mean of the last few steps: one step's loss is noisy.
  const tail = h.slice(-20);
  return tail.reduce((a, x) => a + x.value, 0) / tail.length;
}

/** Evenly spaced items, first and last included. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / Math.max(1, n - 1))]!);
}

async function png(r: RasterU8): Promise<Uint8Array> {
  return new Uint8Array(await encodePng(r));
}

async function runModelDir(p: OpenProject, run: TrainingRun): Promise<string | null> {
  const ck = await latestCheckpoint(p.store, run.id);
  return ck ? join(p.store.dir, ck.path, MODEL_SUBDIR) : null;
}

async function pickRuns(p: OpenProject, o: ProjectReportOptions): Promise<{ seg: TrainingRun | null; sde: TrainingRun | null }> {
  const seg = o.segRunId !== undefined ? await getRun(p.store, o.segRunId) : ((await latestModel(p.store, p.project.id, 'seg'))?.run ?? null);
  let sde: TrainingRun | null = null;
  if (o.sdeRunId !== undefined) sde = await getRun(p.store, o.sdeRunId);
  else if (seg?.parentRunId) sde = await getRun(p.store, seg.parentRunId);
  else sde = (await latestModel(p.store, p.project.id, 'sde'))?.run ?? null;
  return { seg, sde };
}

/**
 * Builds the report and its numbers from the project (see the module comment). The engine must
 * be started (models are loaded to draw the grid and, without `evaluation`, to evaluate).
 */
export async function buildProjectReport(p: OpenProject, o: ProjectReportOptions = {}): Promise<{ html: string; metrics: ReportMetrics }> {
  const { store, project } = p;
  const createdAt = (o.now ?? (() => new Date()))().toISOString();
  const { seg, sde } = await pickRuns(p, o);
  // Frames are named by their output path (folder within the dataset and name, as predict
  // writes them): frame numbers restart per clip, so the name alone does not tell two apart.
  const layout = await frameOutputLayout(store, project.id);

  // --- dataset
  const datasets = await listDatasets(store, project.id);
  const count = async (split: 'train' | 'val', keyframesOnly: boolean) => {
    let n = 0;
    for (const d of datasets) n += await countFrames(store, { datasetId: d.id, split, keyframesOnly });
    return n;
  };
  const clips = async (split: 'train' | 'val') => {
    let n = 0;
    for (const d of datasets) n += (await listClips(store, d.id, split)).length;
    return n;
  };
  const trainFrameIds = new Set<number>();
  for (const d of datasets) for (const f of await listFrames(store, { datasetId: d.id, split: 'train' })) trainFrameIds.add(f.id);
  const labelledTrain = (await listMasks(store, { projectId: project.id, status: 'done' })).filter((m) => trainFrameIds.has(m.frameId)).length;
  let anyFrame: Frame | undefined;
  for (const d of datasets) {
    anyFrame = (await listFrames(store, { datasetId: d.id }))[0];
    if (anyFrame) break;
  }
  const dataset: ReportMetrics['dataset'] = {
    datasets: datasets.map((d) => ({ name: d.name, format: d.format, root: d.rootPath })),
    clips: { train: await clips('train'), val: await clips('val') },
    videoFrames: { train: await count('train', false), val: await count('val', false) },
    framesToLabel: { train: await count('train', true), val: await count('val', true) },
    labelledTrainFrames: labelledTrain,
    imageSize: anyFrame ? { height: anyFrame.height, width: anyFrame.width } : null,
  };
  const { labelSet } = project;
  const classNames = labelSet.classes.map((c) => c.name);
  const classColours = labelSet.classes.map((c) => c.color);

  // --- models and evaluation
  const models: LayersModel[] = [];
  const load = async (dir: string | null): Promise<LayersModel | null> => {
    if (!dir) return null;
    const m = await loadModelFromFolder(dir);
    models.push(m);
    return m;
  };
  try {
    const segModel = seg ? await load(await runModelDir(p, seg)) : null;
    const sdeModel = sde ? await load(await runModelDir(p, sde)) : null;
    const evaluation = o.evaluation ?? (segModel ? await evaluateModel(p, segModel, { split: 'val' }) : sdeModel ? await evaluateModel(p, sdeModel, { split: 'val' }) : null);
    const depthModel = segModel && hasOutput(segModel, 'disp_0') ? segModel : sdeModel;
    const depthSource = depthModel === segModel ? `segmentation run #${seg?.id} (multi-task depth branch)` : `SDE run #${sde?.id}`;
    let depthEval: ReportMetrics['depth'] = null;
    if (depthModel) {
      // The evaluation above already scored the depth where it ran on the depth model.
      const scoredAlready = depthModel === segModel || (segModel === null && o.evaluation === undefined);
      const d = scoredAlready ? (evaluation?.depth ?? null) : (await evaluateModel(p, depthModel, { split: 'val' })).depth;
      if (d) depthEval = { ...(d as unknown as JsonObject), source: depthSource };
    }

    // --- selection
    const rounds: RoundOfPicks[] = [];
    for (const r of await listSelectionRounds(store, project.id)) {
      const picks: RoundOfPicks['picks'] = [];
      for (const k of await listPicks(store, r.id)) {
        const f = await getFrame(store, k.frameId);
        picks.push({ rank: k.rank, frameId: k.frameId, frame: layout.pathOf(f), score: k.score, diversity: k.diversityScore, uncertainty: k.uncertaintyScore });
      }
      rounds.push({ roundId: r.id, method: r.method, basis: typeof r.params['basis'] === 'string' ? (r.params['basis'] as string) : null, picks });
    }
    const thumbH = o.thumbnailHeight ?? 48;
    const selection: ReportData['selection'][number][] = [];
    let order = 0;
    for (const r of rounds) {
      for (const k of r.picks) {
        const f = await getFrame(store, k.frameId);
        const size = { height: thumbH, width: Math.max(1, Math.round((thumbH * f.width) / f.height)) };
        selection.push({
          rank: order++,
          frame: `${k.frame} (round ${rounds.indexOf(r) + 1}, ${r.method}${r.basis ? ` by ${r.basis}` : ''})`,
          score: k.score,
          diversity: k.diversity,
          uncertainty: k.uncertainty,
          thumbnail: await png(await frameImage(store, f, size)),
        });
      }
    }

    // --- validation grid
    const grid: ReportData['grid'][number][] = [];
    const viewModel = segModel ?? sdeModel;
    if (viewModel) {
      const size = modelInputSize(viewModel);
      const valFrames = spread(
        (await listFrames(store, { split: 'val', keyframesOnly: true })).filter((f) => f.gtLabelPath),
        o.gridFrames ?? 6,
      );
      for (const f of valFrames) {
        const image = await frameImage(store, f, size);
        const panels: { label: string; png: Uint8Array }[] = [{ label: 'image', png: await png(image) }];
        const gt = await frameGroundTruth(store, f, size);
        if (gt) panels.push({ label: 'ground truth', png: await png(colouriseClassIds(size.width, size.height, gt.data, labelSet)) });
        let pred: Uint8Array | null = null;
        if (segModel && hasOutput(segModel, 'seg')) {
          pred = (await predictSegmentation(segModel, [image], 1))[0]!;
          panels.push({ label: 'prediction', png: await png(colouriseClassIds(size.width, size.height, pred, labelSet)) });
        }
        if (depthModel) {
          const ds = modelInputSize(depthModel);
          const img = ds.height === size.height && ds.width === size.width ? image : await frameImage(store, f, ds);
          const d = (await predictDisparity(depthModel, [img], 1))[0]!;
          panels.push({ label: 'depth (SDE, near = bright)', png: await png(colouriseDisparity(ds.width, ds.height, d)) });
        }
        if (gt && pred) panels.push({ label: 'error (red wrong, grey right)', png: await png(errorMap(size.width, size.height, pred, gt.data)) });
        grid.push({ frame: layout.pathOf(f), panels });
      }
    }

    // --- curves
    const curves: ReportData['curves'][number][] = [];
    if (sde) {
      curves.push({ title: `SDE loss (run #${sde.id})`, yLabel: 'photometric loss', series: await series(p, sde.id, [['loss', 'loss']]) });
      const depthCurve = await series(p, sde.id, [['val/depth/absRel', 'abs-rel'], ['val/depth/rmseLog', 'RMSE-log']]);
      if (depthCurve.length) curves.push({ title: 'SDE depth error on val (lower is better)', series: depthCurve });
    }
    if (seg) {
      curves.push({
        title: `Segmentation loss (run #${seg.id}, ${seg.mode ?? ''})`,
        yLabel: 'loss',
        series: await series(p, seg.id, [['loss', 'total'], ['loss/ce', 'cross-entropy'], ['loss/mix', 'mixed (teacher)'], ['loss/sde', 'SDE']]),
      });
      const miouCurve = await series(p, seg.id, [['val/miou', 'mIoU'], ['val/pixelAccuracy', 'pixel accuracy']]);
      if (miouCurve.length) curves.push({ title: 'Validation mIoU and pixel accuracy (%)', yLabel: '%', series: miouCurve });
    }

    // --- numbers
    const segEval = evaluation?.segmentation ?? null;
    const perClassIou: Record<string, number | null> = {};
    if (segEval) for (const c of segEval.perClass) perClassIou[c.name] = c.iou;
    const sc = (seg?.config ?? {}) as JsonObject;
    const metrics: ReportMetrics = {
      createdAt,
      project: store.dir,
      dataset,
      sde: sde
        ? {
            runId: sde.id,
            status: sde.status,
            steps: finiteOrNull(sde.config['steps']),
            config: sde.config,
            finalLoss: await lastValue(p, sde.id, 'loss'),
            depth: ((await latestCheckpoint(store, sde.id))?.metrics ?? {}) as JsonObject,
          }
        : null,
      selection: { rounds },
      segmentation: seg
        ? {
            runId: seg.id,
            mode: seg.mode,
            mix: typeof sc['mix'] === 'string' ? (sc['mix'] as string) : null,
            status: seg.status,
            steps: finiteOrNull(sc['steps']),
            labelledFrames: finiteOrNull(sc['labelledFrames']),
            config: sc,
            finalLoss: await lastValue(p, seg.id, 'loss'),
            miou: segEval ? segEval.miou : null,
            pixelAccuracy: segEval ? segEval.pixelAccuracy : null,
            perClassIou,
            evalFrames: evaluation?.frames ?? 0,
          }
        : null,
      depth: depthEval,
      ablation: o.ablation ? { caption: o.ablation.caption ?? null, miou: { ...o.ablation.miou } } : null,
      timings: { ...(o.timings ?? {}) },
      settings: o.settings ?? null,
    };

    // --- the page
    const fmt = (v: number | null | undefined, d = 1) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));
    const headline: { label: string; value: string }[] = [];
    if (metrics.segmentation) {
      headline.push({ label: `validation mIoU (${metrics.segmentation.evalFrames} frames)`, value: `${fmt(metrics.segmentation.miou)}%` });
      headline.push({ label: 'pixel accuracy', value: `${fmt(metrics.segmentation.pixelAccuracy)}%` });
      headline.push({ label: 'labelled train frames', value: `${labelledTrain} of ${dataset.framesToLabel.train}` });
    }
    if (depthEval) {
      headline.push({ label: 'depth abs-rel (val)', value: fmt(finiteOrNull(depthEval['absRel']), 3) });
      headline.push({ label: 'depth δ < 1.25 (val)', value: fmt(finiteOrNull(depthEval['a1']), 3) });
    }
    const totalSeconds = Object.values(metrics.timings).reduce((a, b) => a + b, 0);
    if (totalSeconds > 0) headline.push({ label: 'wall time', value: `${(totalSeconds / 60).toFixed(1)} min` });

    const runLine = (r: TrainingRun) => {
      const c = r.config;
      return `#${r.id} ${String(c['net'] ?? '')} net, ${String(c['height'] ?? '?')}x${String(c['width'] ?? '?')}, ${String(c['steps'] ?? '?')} steps (${r.status})`;
    };
    const datasetRows = [
      ...metrics.dataset.datasets.map((d) => ({ label: `dataset ${d.name}`, value: `${d.format} at ${d.root}` })),
      { label: 'video clips (train / val)', value: `${dataset.clips.train} / ${dataset.clips.val}` },
      { label: 'video frames (train / val)', value: `${dataset.videoFrames.train} / ${dataset.videoFrames.val}` },
      { label: 'frames to label (train / val)', value: `${dataset.framesToLabel.train} / ${dataset.framesToLabel.val}` },
      { label: 'labelled train frames', value: String(labelledTrain) },
      ...(dataset.imageSize ? [{ label: 'image size', value: `${dataset.imageSize.height}x${dataset.imageSize.width}` }] : []),
      ...(sde ? [{ label: 'SDE run', value: runLine(sde) }] : []),
      ...(seg ? [{ label: 'segmentation run', value: `${runLine(seg)}, ${String(sc['mode'])} + ${String(sc['mix'])}, ${String(sc['labelledFrames'])} labelled frames` }] : []),
      ...(Object.keys(metrics.timings).length
        ? [{ label: 'time per stage', value: Object.entries(metrics.timings).map(([k, v]) => `${k} ${v.toFixed(0)} s`).join(', ') }]
        : []),
    ];
    const perClassRows: ReportData['perClassIoU'][number][] = segEval
      ? segEval.perClass.map((c, k) => ({ name: c.name, iou: c.iou === null ? null : c.iou / 100, colour: classColours[k] ?? [0, 0, 0] }))
      : [];
    const abl = o.ablation?.miou;
    const ratio = abl && typeof abl.depthmix === 'number' && typeof abl.full === 'number' && abl.full > 0 ? abl.depthmix / abl.full : null;
    const ablation = o.ablation
      ? {
          caption:
            (o.ablation.caption ?? 'validation mIoU of each setting at the same label budget, from the ablation run that passed it') +
            (ratio !== null ? `; DepthMix reaches ${(100 * ratio).toFixed(0)}% of the all-labels mIoU (the paper: 92% with 1/30 of Cityscapes' labels)` : ''),
          rows: ABLATION_ROWS.filter((r) => r.key in o.ablation!.miou).map((r) => ({ name: r.name, miou: o.ablation!.miou[r.key] ?? null, note: r.note })),
        }
      : undefined;
    const data: ReportData = {
      title: o.title ?? `DepthSeg report: ${project.name}`,
      createdAt,
      ...(o.subtitle ? { subtitle: o.subtitle } : {}),
      dataset: datasetRows,
      headline,
      curves,
      selection,
      grid,
      perClassIoU: perClassRows,
      ...(ablation ? { ablation } : {}),
      notes: [
        ...(o.notes ?? []),
        `Classes: ${labelSet.title}; pixels labelled ignore (${IGNORE_ID}) are not scored.`,
        'mIoU from one confusion matrix over the whole validation split; depth errors after per-image median scaling, capped at 80 m.',
      ],
    };
    return { html: renderReportHtml(data), metrics };
  } finally {
    for (const m of models) m.dispose();
  }
}

/** Writes `report.html` and `metrics.json` into `outDir`. */
export async function writeProjectReport(
  p: OpenProject,
  outDir: string,
  o: ProjectReportOptions = {},
): Promise<{ html: string; json: string; metrics: ReportMetrics }> {
  const { html, metrics } = await buildProjectReport(p, o);
  const htmlPath = join(outDir, 'report.html');
  const jsonPath = join(outDir, 'metrics.json');
  writeFileAtomic(htmlPath, html);
  writeFileAtomic(jsonPath, `${JSON.stringify(metrics, null, 2)}\n`);
  return { html: htmlPath, json: jsonPath, metrics };
}
