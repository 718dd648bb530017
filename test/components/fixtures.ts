/** Typed answers of the fake API: what the core would send back, with the fields a test cares about. */
import type {
  FrameEntry,
  MaskWorkInfo,
  LabelSet,
  ProjectInfo,
  ProjectOverviewInfo,
  TrainingDefaults,
  TrainingJobInfo,
  TrainingRunInfo,
} from '../../src/core/api/contract';
import { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET, customLabelSet } from '../../src/core/labels';
import { defaultsOf, SDE_SETTINGS, SEG_SETTINGS } from '../../src/core/settings';

export { CAMVID_LABEL_SET, CITYSCAPES_LABEL_SET };

/** A user's own set of 3 classes (as a plain-frames project has). */
export const CUSTOM_LABEL_SET: LabelSet = customLabelSet([{ name: 'lane', color: '#ffcc00' }, { name: 'kerb' }, { name: 'pothole', color: '#ff0000' }]);

export const PROJECT: ProjectInfo = { projectId: 1, dir: '/projects/street', name: 'street', labelSet: CITYSCAPES_LABEL_SET };

/** The project `dir` as projectOpen answers for it (id 1 unless given). */
export function projectInfo(dir: string, o: Partial<ProjectInfo> = {}): ProjectInfo {
  return { projectId: 1, dir, name: dir.split('/').pop()!, labelSet: CITYSCAPES_LABEL_SET, ...o };
}

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
    work: NOBODY,
    ...o,
  };
}

/** A frame's mask nobody worked on yet (no author, no lease, no review). */
export const NOBODY: MaskWorkInfo = { author: null, leaseHolder: null, leaseUntil: null, review: null };

const { sdeCheckpoint: _cliOnly, ...segDefaults } = defaultsOf(SEG_SETTINGS);

export function trainingDefaults(o: { labelledFrames?: number; sdeRunId?: number | null; sdeUnavailable?: string | null } = {}): TrainingDefaults {
  return {
    // The declared defaults, with the net and size of "SDE run #2" (as the core resolves them).
    sde: { ...defaultsOf(SDE_SETTINGS), net: 'tiny', height: 64, width: 128, steps: 1000, lr: 0.0005 },
    seg: {
      ...segDefaults,
      net: 'tiny',
      height: 64,
      width: 128,
      steps: 800,
      lr: 0.02,
      sdeRunId: o.sdeRunId === undefined ? 2 : o.sdeRunId,
    },
    segNote: null,
    sdeUnavailable: o.sdeUnavailable ?? null,
    labelledFrames: o.labelledFrames ?? 3,
    trainApprovedOnly: false,
  };
}

export function job(o: Partial<TrainingJobInfo> = {}): TrainingJobInfo {
  return {
    jobId: 'job-1',
    kind: 'seg',
    projectDir: PROJECT.dir,
    worker: null,
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
    collapsed: null,
    resumable: false,
    active: false,
    ...o,
  };
}
