/** Typed answers of the fake API: what the core would send back, with the fields a test cares about. */
import type {
  FrameEntry,
  ProjectInfo,
  ProjectOverviewInfo,
  TrainingDefaults,
  TrainingJobInfo,
  TrainingRunInfo,
} from '../../src/core/api/contract';

export const PROJECT: ProjectInfo = { dir: '/projects/street', name: 'street' };

export function overview(o: Partial<ProjectOverviewInfo> = {}): ProjectOverviewInfo {
  return {
    ...PROJECT,
    datasets: 1,
    clips: 12,
    frames: 240,
    keyframes: 12,
    suggested: 16,
    masks: { todo: 9, in_progress: 2, done: 4, skipped: 1 },
    selectionRounds: 2,
    runs: 3,
    ...o,
  };
}

export function frameEntry(frameId: number, o: Partial<FrameEntry> = {}): FrameEntry {
  return {
    frameId,
    imagePath: `leftImg8bit/train/synth/synth_${String(frameId).padStart(6, '0')}_000019_leftImg8bit.png`,
    split: 'train',
    width: 128,
    height: 64,
    status: 'todo',
    source: 'suggested',
    rank: null,
    method: 'ds_us',
    score: null,
    diversityScore: null,
    uncertaintyScore: null,
    uncertaintyWeight: null,
    ...o,
  };
}

export function trainingDefaults(o: { labelledFrames?: number; sdeRunId?: number | null } = {}): TrainingDefaults {
  return {
    sde: { net: 'tiny', height: 64, width: 128, steps: 1000, batchSize: 4, lr: 0.0005, seed: 1 },
    seg: {
      mode: 'multitask',
      mix: 'depthmix',
      net: 'tiny',
      height: 64,
      width: 128,
      steps: 800,
      labelledBatch: 2,
      unlabelledBatch: 2,
      lr: 0.02,
      seed: 1,
      sdeRunId: o.sdeRunId === undefined ? 2 : o.sdeRunId,
    },
    labelledFrames: o.labelledFrames ?? 3,
  };
}

export function job(o: Partial<TrainingJobInfo> = {}): TrainingJobInfo {
  return {
    jobId: 'job-1',
    kind: 'seg',
    projectDir: PROJECT.dir,
    state: 'running',
    startedAt: '2025-03-01T10:00:00.000Z',
    endedAt: null,
    settings: { mode: 'multitask', mix: 'depthmix' },
    runId: 7,
    phase: 'training',
    step: 0,
    totalSteps: 100,
    loss: null,
    lr: 0.02,
    stepsPerSecond: null,
    etaSeconds: null,
    message: null,
    backend: 'wasm',
    resumedFrom: null,
    error: null,
    metrics: null,
    selection: null,
    ...o,
  };
}

export function run(o: Partial<TrainingRunInfo> & Pick<TrainingRunInfo, 'id'>): TrainingRunInfo {
  return {
    kind: 'seg',
    mode: 'multitask',
    status: 'done',
    parentRunId: 2,
    createdAt: '2025-03-01T09:00:00.000Z',
    startedAt: '2025-03-01T09:00:00.000Z',
    finishedAt: '2025-03-01T09:30:00.000Z',
    error: null,
    step: 100,
    totalSteps: 100,
    checkpointStep: 100,
    config: { mode: 'multitask', mix: 'depthmix', net: 'tiny', height: 64, width: 128, lr: 0.02 },
    loss: 0.5,
    metrics: {},
    resumable: false,
    active: false,
    ...o,
  };
}
