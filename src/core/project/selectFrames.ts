/**
 * One selection round on a project (method.md, way 3): proposes `budget` more frames to label
 * from the train split's frames to label (keyframes), by random, diversity (ds), uncertainty
 * (us), both (ds_us) or segmentation entropy. Frames already labelled (done or in progress)
 * and frames picked by earlier rounds count as selected; skipped frames are never proposed.
 * Features come from the project's SDE depth model (cached per frame in the store, so a second
 * round only computes new frames); the uncertainty from a student trained from scratch on the
 * selected frames. The round is stored with its picks, their scores and the models that scored
 * them, and the picks are queued for labelling.
 */
import { resolve } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { UsageError } from '../errors';
import { loadModelFromFolder, SMALL, type NetConfig } from '../ml/nets';
import { createRng } from '../random';
import {
  DEFAULT_UNCERTAINTY_WEIGHT,
  needsUncertainty,
  parseUncertaintyWeight,
  roundBasis,
  selectRound,
  type RoundBasis,
  type SelectionMethod,
} from '../selection/combinedSelection';
import { segmentationEntropy } from '../selection/entropy';
import type { Pick, UncertaintyWeight } from '../selection/farthestPoint';
import { featureCacheKey, modelFolderKey, sdeFeatureExtractor, selectionFeatures, SDE_FEATURE_LAYER, type SelectionFeatures } from '../selection/sdeFeatures';
import { scoreUncertainty, trainStudent } from '../selection/uncertainty';
import {
  createSelectionRound,
  listCheckpoints,
  listDatasets,
  listFrames,
  listMasks,
  listRuns,
  listSelectionRounds,
  selectedFrameIds,
  type Frame,
  type ProjectStore,
} from '../store';
import { latestModel, MODEL_SUBDIR } from './projectModels';
import { frameImage, modelInputSize } from './modelOutputs';
import type { OpenProject } from './openProject';

export type SelectionPhase = 'features' | 'student' | 'uncertainty' | 'entropy' | 'select';

export interface SelectionProgress {
  readonly phase: SelectionPhase;
  readonly done: number;
  readonly total: number;
  /** The student's berHu loss (phase 'student'). */
  readonly loss?: number;
}

export interface SelectRoundOptions {
  /** How many new frames to propose. */
  readonly budget: number;
  readonly method: SelectionMethod;
  /** The SDE depth model folder (default: the project's latest SDE model). */
  readonly sdeModelDir?: string;
  /** The segmentation model folder for 'entropy' (default: the project's latest segmentation model). */
  readonly segModelDir?: string;
  /** Seeds the first pick, random picks and the student. */
  readonly seed: number;
  /** Optimiser steps of the student (us, ds_us). */
  readonly studentSteps: number;
  /** Network size of the student (default SMALL). */
  readonly studentNet?: NetConfig;
  readonly studentBatchSize?: number;
  /** ds_us: weight of the uncertainty, a number or 'balanced' (the default; see combinedSelection.ts). */
  readonly weight?: UncertaintyWeight;
  /** Frames per forward pass (default 8). */
  readonly batchSize?: number;
  readonly onProgress?: (p: SelectionProgress) => void;
}

export interface PickedFrame {
  readonly rank: number;
  readonly frameId: number;
  readonly imagePath: string;
  /** The score that won (null for random). */
  readonly score: number | null;
  /** Min feature distance to everything selected before it (null: nothing before it, or no features). */
  readonly diversity: number | null;
  /** Student uncertainty (us, ds_us) or segmentation entropy (entropy). */
  readonly uncertainty: number | null;
}

export interface SelectionRoundSummary {
  readonly roundId: number;
  readonly method: SelectionMethod;
  /** What this round scored by (ds_us and us pick by diversity alone while nothing is selected). */
  readonly basis: RoundBasis;
  /** Frames that could be chosen from (train frames to label, with those already selected). */
  readonly frames: number;
  /** Frames that counted as selected before this round. */
  readonly selectedBefore: number;
  readonly picks: readonly PickedFrame[];
  /** ds_us: the weight of the uncertainty in every pick's score (score = diversity + weight x uncertainty); null otherwise. */
  readonly weight: number | null;
  /** The key of the model that scored the frames (the SDE model; the segmentation model for entropy). */
  readonly modelKey: string | null;
  readonly sdeModelDir: string | null;
  /** Frames whose features were computed now (the rest came from the cache). */
  readonly featuresComputed: number;
  readonly student: { readonly steps: number; readonly trainedOn: number; readonly finalLoss: number | null } | null;
}

const finite = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** The run and checkpoint whose model folder is `dir`, where it is one of the project's checkpoints. */
async function runOfModelDir(store: ProjectStore, projectId: number, dir: string): Promise<{ runId: number; checkpointId: number } | null> {
  const want = resolve(dir);
  for (const run of await listRuns(store, projectId)) {
    for (const c of await listCheckpoints(store, run.id)) {
      if (resolve(store.dir, c.path, MODEL_SUBDIR) === want) return { runId: run.id, checkpointId: c.id };
    }
  }
  return null;
}

/** The project's frames to choose from, ascending by id, and which of them count as selected or are excluded. */
async function candidatePool(p: OpenProject): Promise<{ frames: Frame[]; selected: number[]; excluded: Set<number> }> {
  const { store, project } = p;
  const masks = await listMasks(store, { projectId: project.id });
  const picked = await selectedFrameIds(store, project.id);
  const selectedIds = new Set([...picked, ...masks.filter((m) => m.status === 'done' || m.status === 'in_progress').map((m) => m.frameId)]);
  const skipped = new Set(masks.filter((m) => m.status === 'skipped').map((m) => m.frameId));
  const byId = new Map<number, Frame>();
  for (const d of await listDatasets(store, project.id)) {
    for (const f of await listFrames(store, { datasetId: d.id, split: 'train' })) {
      if (f.isKeyframe || selectedIds.has(f.id)) byId.set(f.id, f);
    }
  }
  const frames = [...byId.values()].sort((a, b) => a.id - b.id);
  const row = new Map(frames.map((f, r) => [f.id, r]));
  // Earlier picks first, in the order they were picked, then the labelled frames.
  const selected: number[] = [];
  for (const id of [...picked, ...selectedIds]) {
    const r = row.get(id);
    if (r !== undefined && !selected.includes(r)) selected.push(r);
  }
  const excluded = new Set<number>();
  for (const id of skipped) {
    const r = row.get(id);
    if (r !== undefined && !selectedIds.has(id)) excluded.add(r);
  }
  return { frames, selected, excluded };
}

function checkOptions(o: SelectRoundOptions): void {
  if (!Number.isInteger(o.budget) || o.budget < 1) throw new UsageError(`the budget must be a positive integer (got ${o.budget})`);
  if (!Number.isInteger(o.seed)) throw new UsageError(`the seed must be an integer (got ${o.seed})`);
  if (!Number.isInteger(o.studentSteps) || o.studentSteps < 1) throw new UsageError(`the student steps must be a positive integer (got ${o.studentSteps})`);
  if (o.weight !== undefined) parseUncertaintyWeight(o.weight, 'the uncertainty weight');
}

/** Runs one selection round on the project and stores it (see the module comment). */
export async function runSelectionRound(p: OpenProject, opts: SelectRoundOptions): Promise<SelectionRoundSummary> {
  checkOptions(opts);
  const { store, project } = p;
  const progress = opts.onProgress ?? (() => undefined);
  const pool = await candidatePool(p);
  const n = pool.frames.length;
  const free = n - pool.selected.length - pool.excluded.size;
  if (free <= 0) {
    throw new UsageError(`no frames left to select: the project's ${n} train frames to label are all labelled, picked or skipped`);
  }
  const basis = roundBasis(opts.method, pool.selected.length, opts.method === 'entropy');
  // ds, us and ds_us need the SDE features; entropy uses them (to report distances) where
  // there is an SDE model; random never computes them.
  const sdeDefault = opts.sdeModelDir ? resolve(opts.sdeModelDir) : ((await latestModel(store, project.id, 'sde'))?.modelDir ?? null);
  const usesFeatures = opts.method === 'entropy' ? sdeDefault !== null : opts.method !== 'random';
  const usesStudent = needsUncertainty(opts.method, pool.selected.length);

  const models: LayersModel[] = [];
  try {
    let sdeDir: string | null = null;
    let teacher: LayersModel | null = null;
    let sdeKey: string | null = null;
    let features: SelectionFeatures | null = null;
    if (usesFeatures) {
      sdeDir = sdeDefault;
      if (!sdeDir) {
        throw new UsageError(`selection by '${opts.method}' needs an SDE depth model, and this project has no finished SDE run: train one first or name a model folder (--sde-model DIR)`);
      }
      sdeKey = modelFolderKey(sdeDir);
      teacher = await loadModelFromFolder(sdeDir);
      models.push(teacher);
      const extractor = sdeFeatureExtractor(teacher);
      const size = modelInputSize(teacher);
      const byId = new Map(pool.frames.map((f) => [f.id, f]));
      features = await selectionFeatures(
        store,
        extractor,
        featureCacheKey(sdeKey, SDE_FEATURE_LAYER),
        pool.frames.map((f) => f.id),
        async (id) => await frameImage(store, byId.get(id)!, size),
        { batchSize: opts.batchSize ?? 8, onProgress: (done, total) => progress({ phase: 'features', done, total }) },
      );
    }

    // Scores for the candidates only (selected and excluded frames are never picked).
    const candidates: number[] = [];
    const taken = new Set([...pool.selected, ...pool.excluded]);
    for (let r = 0; r < n; r++) if (!taken.has(r)) candidates.push(r);
    let scores: Float32Array | undefined;
    let student: SelectionRoundSummary['student'] = null;
    let scoredBy: { key: string | null; dir: string | null } = { key: sdeKey, dir: sdeDir };
    const studentNet = opts.studentNet ?? SMALL;
    if (usesStudent) {
      const size = modelInputSize(teacher!);
      const images = await Promise.all(pool.selected.map(async (r) => await frameImage(store, pool.frames[r]!, size)));
      const trained = await trainStudent(teacher!, images, {
        config: studentNet,
        steps: opts.studentSteps,
        ...(opts.studentBatchSize !== undefined ? { batchSize: opts.studentBatchSize } : {}),
        seed: opts.seed,
        onStep: (done, total, loss) => progress({ phase: 'student', done, total, loss }),
      });
      models.push(trained.model);
      student = { steps: opts.studentSteps, trainedOn: images.length, finalLoss: finite(trained.losses.at(-1)) };
      const u = await scoreUncertainty(trained.model, teacher!, candidates.length, async (k) => await frameImage(store, pool.frames[candidates[k]!]!, size), {
        batchSize: opts.batchSize ?? 8,
        onProgress: (done, total) => progress({ phase: 'uncertainty', done, total }),
      });
      scores = new Float32Array(n);
      candidates.forEach((r, k) => (scores![r] = u[k]!));
    } else if (opts.method === 'entropy') {
      const segDir = opts.segModelDir ? resolve(opts.segModelDir) : ((await latestModel(store, project.id, 'seg'))?.modelDir ?? null);
      if (!segDir) {
        throw new UsageError("selection by 'entropy' needs a segmentation model, and this project has no finished segmentation run: train one first or name a model folder (--seg-model DIR)");
      }
      const seg = await loadModelFromFolder(segDir);
      models.push(seg);
      const size = modelInputSize(seg);
      const e = await segmentationEntropy(seg, candidates.length, async (k) => await frameImage(store, pool.frames[candidates[k]!]!, size), {
        batchSize: opts.batchSize ?? 8,
        onProgress: (done, total) => progress({ phase: 'entropy', done, total }),
      });
      scores = new Float32Array(n);
      candidates.forEach((r, k) => (scores![r] = e[k]!));
      scoredBy = { key: modelFolderKey(segDir), dir: segDir };
    }

    // A different random stream per round, so repeated rounds with one seed do not repeat choices.
    const earlierRounds = (await listSelectionRounds(store, project.id)).length;
    const rng = createRng(opts.seed + 7919 * earlierRounds);
    const weightRule = opts.weight ?? DEFAULT_UNCERTAINTY_WEIGHT;
    const round = selectRound({
      method: opts.method,
      frames: n,
      count: Math.min(opts.budget, free),
      ...(features ? { features: features.matrix } : {}),
      selected: pool.selected,
      excluded: pool.excluded,
      ...(scores ? { scores } : {}),
      weight: weightRule,
      rng,
      onPick: (done, total) => progress({ phase: 'select', done, total }),
    });
    // Every pick's score used the same weight (fixed for the round).
    const weightUsed = round.basis === 'diversity+uncertainty' ? (round.picks[0]?.weight ?? null) : null;
    const picks: PickedFrame[] = round.picks.map((pk: Pick) => ({
      rank: pk.rank,
      frameId: pool.frames[pk.index]!.id,
      imagePath: pool.frames[pk.index]!.imagePath,
      score: round.basis === 'random' ? null : finite(pk.score),
      diversity: finite(pk.diversity),
      uncertainty: finite(pk.uncertainty),
    }));
    const run = scoredBy.dir ? await runOfModelDir(store, project.id, scoredBy.dir) : null;
    const stored = await createSelectionRound(store, {
      projectId: project.id,
      method: opts.method,
      params: {
        budget: opts.budget,
        basis: round.basis,
        seed: opts.seed,
        frames: n,
        selectedBefore: pool.selected.length,
        // The weight its scores used, and the rule that gave it ('balanced' or 'fixed').
        ...(round.basis === 'diversity+uncertainty' ? { weight: weightUsed, weightRule: typeof weightRule === 'number' ? 'fixed' : 'balanced' } : {}),
        ...(sdeDir ? { sdeModelDir: sdeDir, sdeModelKey: sdeKey, featureLayer: SDE_FEATURE_LAYER, featureCacheKey: features?.cacheKey ?? null } : {}),
        ...(opts.method === 'entropy' ? { segModelDir: scoredBy.dir, segModelKey: scoredBy.key } : {}),
        ...(student ? { student: { ...student, net: studentNet.name, seed: opts.seed, batchSize: opts.studentBatchSize ?? 4 } } : {}),
      },
      scoredByRunId: run?.runId ?? null,
      scoredByCheckpointId: run?.checkpointId ?? null,
      modelKey: scoredBy.key,
      picks: picks.map((pk) => ({ frameId: pk.frameId, score: pk.score, diversityScore: pk.diversity, uncertaintyScore: pk.uncertainty })),
    });
    return {
      roundId: stored.id,
      method: opts.method,
      basis: round.basis,
      frames: n,
      selectedBefore: pool.selected.length,
      picks,
      weight: weightUsed,
      modelKey: scoredBy.key,
      sdeModelDir: sdeDir,
      featuresComputed: features?.computed ?? 0,
      student,
    };
  } finally {
    for (const m of models.reverse()) m.dispose();
  }
}
