/**
 * The one typed API between the user interface and the core. Electron's preload exposes it
 * to the renderer over IPC; a loopback WebSocket host (src/host) serves the same calls for
 * headless use and browser tests. Every call takes one params object, validated against its
 * schema at the boundary (main process or host) before it reaches the core.
 *
 * The renderer imports this file (types and schemas) and nothing else from core.
 */
import { z } from 'zod';
import { customLabelSetInput, type LabelSet } from '../labels/labelSet';
import { sdeSettingsInput, segSettingsAppInput, type SdeSettings, type SegSettings } from '../settings/trainingSettings';
export { PROJECT_SETTINGS, TRAIN_APPROVED_ONLY } from '../settings/projectSettings';
import type { Role } from './caller';

export type { LabelClass, LabelSet, Rgb } from '../labels/labelSet';
export { IGNORE_ID } from '../labels/labelSet';
export { defaultOf, defaultText, formatValue, settingProblem, type Setting } from '../settings/setting';
export {
  MIX_MODES,
  NET_NAMES,
  SDE_SETTINGS,
  SEG_MODES,
  SEG_SETTINGS_IN_APP,
  sdeSettingsInput,
  segSettingsInput,
  type SdeSettings,
  type SdeSettingsInput,
  type SegSettings,
  type SegSettingsInput,
} from '../settings/trainingSettings';

export { ROLES, type Role } from './caller';

/**
 * A team server's sign-in (docs/team-server.md): POST {name, password} to TEAM_LOGIN_PATH,
 * POST to TEAM_LOGOUT_PATH to sign out, GET TEAM_ME_PATH for who is signed in (401: nobody).
 */
export const TEAM_LOGIN_PATH = '/login';
export const TEAM_LOGOUT_PATH = '/logout';
export const TEAM_ME_PATH = '/team/me';

/** Who is signed in to a team server, what the role may not do (per method, in words), and the one project it serves. */
export interface TeamAccount {
  readonly user: string;
  readonly role: Role;
  readonly refusals: Partial<Record<ApiMethod, string>>;
  readonly project: { readonly dir: string; readonly name: string };
}

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  /** Where the app runs its core: 'electron', 'host' (the local WebSocket host) or 'team' (a team server, docs/team-server.md). */
  readonly shell: 'electron' | 'host' | 'team';
}

/** Params schema per API method. A method is added here, in ApiResults and in the service. */
const maskStatus = z.enum(['todo', 'in_progress', 'done', 'skipped']);
const folder = z.string().min(1).max(4096);

export const SELECTION_METHOD_NAMES = ['ds_us', 'ds', 'us', 'random', 'entropy'] as const;

/**
 * The open project a call is about: the id projectOpen (or projectCreate) gave. A call for a
 * project that is no longer open in the process (closed, or replaced by another window's
 * project) is refused with a ProjectClosedError.
 */
const projectId = z.number().int().min(1);
/** Params of a call on the open project: its id plus the call's own fields. */
const onProject = <T extends z.ZodRawShape>(shape: T) => z.object({ projectId, ...shape }).strict();

export const API_PARAMS = {
  appInfo: z.object({}).strict(),
  /** Creates a project in `dir` from a dataset folder, or from a synthetic dataset generated into `dir/data`. */
  projectCreate: z
    .object({
      dir: folder,
      name: z.string().min(1).max(200).optional(),
      dataset: folder.optional(),
      format: z.enum(['cityscapes', 'camvid', 'frames']).optional(),
      /** The project's own label set (names, optional colours), for a dataset without labels of its own. */
      classes: customLabelSetInput.optional(),
      synthetic: z
        .object({
          sequences: z.number().int().min(1).max(200),
          height: z.number().int().min(16).max(2048),
          width: z.number().int().min(16).max(4096),
          seed: z.number().int().min(0).max(2 ** 31),
        })
        .strict()
        .optional(),
    })
    .strict()
    .refine((p) => (p.dataset === undefined) !== (p.synthetic === undefined), {
      message: 'give either a dataset folder or synthetic settings (one of the two)',
    }),
  projectOpen: z.object({ dir: folder }).strict(),
  projectRecent: z.object({}).strict(),
  /** Closes the project if it is still the open one (another window's project stays open). */
  projectClose: onProject({}),
  projectOverview: onProject({}),
  /** The labelling queue: suggested frames (or keyframes when no round ran yet). */
  frameList: onProject({ status: maskStatus.optional(), limit: z.number().int().min(1).max(100000).optional() }),
  frameGet: onProject({ frameId: z.number().int().min(1) }),
  maskSave: z
    .object({
      projectId,
      frameId: z.number().int().min(1),
      width: z.number().int().min(1),
      height: z.number().int().min(1),
      /** The mask's bytes (one trainId per pixel, row-major), base64. */
      maskBase64: z.string().min(1),
      /** The version the edit started from (0: none saved yet); a mismatch is a conflict. */
      expectedVersion: z.number().int().min(0),
      status: z.enum(['in_progress', 'done', 'skipped']).optional(),
    })
    .strict(),
  maskSetStatus: onProject({ frameId: z.number().int().min(1), status: maskStatus }),
  // The team queue (docs/team-queue.md): leases, review, history.
  /** Leases the caller the next queued frame nobody else holds (their own held or sent-back frames first); frameId null when none is left. */
  frameNext: onProject({}),
  /** Gives up the caller's lease on a frame without changing its status. */
  frameRelease: onProject({ frameId: z.number().int().min(1) }),
  /** A reviewer's verdict on a submitted (done) mask; sending back needs a comment. Refused to annotators. */
  maskReview: onProject({
    frameId: z.number().int().min(1),
    verdict: z.enum(['approve', 'send_back']),
    comment: z.string().max(4000).optional(),
  }).refine((p) => p.verdict === 'approve' || (p.comment ?? '').trim().length > 0, {
    message: 'sending a mask back needs a comment that says what to fix',
    path: ['comment'],
  }),
  /** Who did what to a frame's mask: leases, saves, status changes and reviews, oldest first. */
  maskHistory: onProject({ frameId: z.number().int().min(1) }),
  /** The project's own settings (the team queue's: train only approved masks). */
  projectSettingsGet: onProject({}),
  /** Changes the given project settings (declared in settings/projectSettings.ts); engineers only in a team. */
  projectSettingsSet: onProject({ trainApprovedOnly: z.boolean().optional() }),
  /** A frame's superpixels (SLIC, computed once per frame) for the superpixel brush and the region fill. */
  frameSuperpixels: onProject({ frameId: z.number().int().min(1) }),
  /** The SDE features of a frame's superpixels (the newest depth run's network unless runId names one), for the live assist. */
  frameAssistFeatures: onProject({ frameId: z.number().int().min(1), runId: z.number().int().min(1).optional(), segRunId: z.number().int().min(1).optional() }),
  /**
   * "Next frame in clip" / "Previous frame in clip": the neighbouring frame of a finished
   * frame's clip (offset +1, the default, the next; -1 the previous) with a proposal, the
   * finished mask carried there by the newest SDE run's depth and camera motion.
   */
  framePropagate: onProject({ frameId: z.number().int().min(1), offset: z.union([z.literal(1), z.literal(-1)], { error: 'must be 1 (the next frame) or -1 (the previous frame)' }).optional() }),
  // Review: a trained model's output per frame, and a segmentation run's evaluation.
  /** The project's training runs, newest last, and which runs the review shows by default. */
  reviewRuns: onProject({}),
  /** Frames to review: the labelled frame of every clip (val first) and the suggested frames. */
  reviewFrames: onProject({ split: z.enum(['train', 'val', 'test']).optional(), limit: z.number().int().min(1).max(100000).optional() }),
  /** One frame: image, prediction, depth, ground truth and error map (absent parts say why). */
  reviewFrame: onProject({ frameId: z.number().int().min(1), segRunId: z.number().int().min(1).optional(), depthRunId: z.number().int().min(1).optional() }),
  /** A segmentation run's prediction of a frame at the frame's size, with the class ids ("start from the prediction"). */
  reviewPrediction: onProject({ frameId: z.number().int().min(1), runId: z.number().int().min(1).optional() }),
  /** The SDE depth of a frame as a colour image at the frame's size (the annotator's second layer). */
  reviewDepth: onProject({ frameId: z.number().int().min(1), runId: z.number().int().min(1).optional() }),
  /** A segmentation run's per-class IoU and confusion matrix (the latest finished run when none is named). */
  reviewEvaluation: onProject({ runId: z.number().int().min(1).optional() }),
  /** Two segmentation runs side by side: per-class IoU and the mIoU difference (b - a). */
  reviewCompare: onProject({ runA: z.number().int().min(1), runB: z.number().int().min(1) })
    .refine((p) => p.runA !== p.runB, { message: 'choose two different runs to compare' }),
  // Training and selection jobs: they run in a worker thread, one at a time; progress arrives
  // as 'training.progress' events and from trainingStatus.
  /** The job running now (or starting, or stopping) and the last one that ended, for the open project. */
  trainingStatus: onProject({}),
  /** The settings a new run gets where the UI leaves them out (segmentation: net and size from the newest SDE run). */
  trainingDefaults: onProject({}),
  /** Starts a new self-supervised depth pretraining run. */
  trainingStartSde: onProject({ settings: sdeSettingsInput.default({}) }),
  /** "Retrain": a new segmentation run from the project's finished masks. */
  trainingStartSeg: onProject({ settings: segSettingsAppInput.default({}) }),
  /** Stops this project's running job: a training run saves a checkpoint and pauses. */
  trainingCancel: onProject({}),
  /** Continues a paused run where it stopped, with the settings it stored. */
  trainingResume: onProject({ runId: z.number().int().min(1) }),
  /** Every training run of the project with status, progress and latest metrics, oldest first. */
  trainingRuns: onProject({}),
  /** A run's curves: loss, learning rate and evaluation metrics by step (long series thinned). */
  trainingHistory: onProject({ runId: z.number().int().min(1), maxPoints: z.number().int().min(10).max(10000).optional() }),
  /**
   * Writes the project's masks (done ones unless statuses says otherwise) into `out` in its
   * label set's own formats, mirroring the dataset's folders, with a manifest.json.
   */
  labelsExport: onProject({ out: folder, statuses: z.array(maskStatus).min(1).optional() }),
  /** "Suggest N more": one selection round in the background; its picks join the queue. */
  selectionSuggest: onProject({
    budget: z.number().int().min(1).max(10000),
    method: z.enum(SELECTION_METHOD_NAMES).optional(),
    studentSteps: z.number().int().min(1).max(100000).optional(),
    seed: z.number().int().min(0).optional(),
  }),
} as const;

export type ApiMethod = keyof typeof API_PARAMS;
export type ApiParams<M extends ApiMethod> = z.infer<(typeof API_PARAMS)[M]>;

/** What each method resolves to. */
export interface ApiResults {
  appInfo: AppInfo;
  projectCreate: ProjectInfo;
  projectOpen: ProjectInfo;
  projectRecent: RecentProject[];
  projectClose: { closed: boolean };
  projectOverview: ProjectOverviewInfo;
  frameList: FrameEntry[];
  frameGet: FrameData;
  maskSave: MaskSaved;
  maskSetStatus: MaskSaved;
  frameNext: FrameLease;
  frameRelease: { released: boolean };
  maskReview: MaskSaved;
  maskHistory: MaskEventInfo[];
  projectSettingsGet: ProjectSettingsInfo;
  projectSettingsSet: ProjectSettingsInfo;
  frameSuperpixels: FrameSuperpixels;
  frameAssistFeatures: FrameAssistFeatures;
  framePropagate: FramePropagation;
  reviewRuns: ReviewRuns;
  reviewFrames: ReviewFrameEntry[];
  reviewFrame: ReviewFrameData;
  reviewPrediction: FramePrediction;
  reviewDepth: FrameDepthImage;
  reviewEvaluation: RunEvaluation | null;
  reviewCompare: RunComparison;
  trainingStatus: TrainingStatus;
  trainingDefaults: TrainingDefaults;
  trainingStartSde: TrainingJobInfo;
  trainingStartSeg: TrainingJobInfo;
  trainingCancel: { cancelled: boolean };
  trainingResume: TrainingJobInfo;
  trainingRuns: TrainingRunInfo[];
  trainingHistory: RunHistory;
  selectionSuggest: TrainingJobInfo;
  labelsExport: LabelsExported;
}

export interface LabelsExported {
  /** Masks written. */
  readonly exported: number;
  /** Files written (every format of every mask, and the manifest). */
  readonly files: number;
  readonly out: string;
  readonly manifest: string;
}

export type MaskStatusName = 'todo' | 'in_progress' | 'done' | 'skipped';

/** Who works on a frame's mask in the team queue: its last author, who holds it, the review. */
export interface MaskWorkInfo {
  /** Who saved the mask last (null: none saved). */
  readonly author: string | null;
  /** Who holds the frame (leased from the queue) until when; null when nobody holds it or the lease ended. */
  readonly leaseHolder: string | null;
  readonly leaseUntil: string | null;
  /** The reviewer's verdict on the submitted mask; null while none. */
  readonly review: {
    readonly state: 'approved' | 'sent_back';
    readonly comment: string | null;
    readonly by: string;
    readonly at: string;
  } | null;
}

/** A frame leased from the queue (frameId null: nothing left that nobody else holds). */
export interface FrameLease {
  readonly frameId: number | null;
  readonly holder: string;
  readonly leaseUntil: string | null;
}

export interface MaskEventInfo {
  readonly at: string;
  readonly actor: string;
  readonly action: 'leased' | 'released' | 'saved' | MaskStatusName | 'approved' | 'sent_back';
  readonly version: number;
  readonly comment: string | null;
}

/** The project's own settings: declared in src/core/settings/projectSettings.ts. */
export interface ProjectSettingsInfo {
  /** Segmentation training and export take only masks a reviewer approved. */
  readonly trainApprovedOnly: boolean;
}

/** A project as the open call gives it: the id every later call names, and its label set. */
export interface ProjectInfo {
  readonly projectId: number;
  readonly dir: string;
  readonly name: string;
  readonly labelSet: LabelSet;
}

export interface RecentProject {
  readonly dir: string;
  readonly name: string;
  readonly openedAt: string;
  /** False when the folder no longer holds a project. */
  readonly exists: boolean;
}

export interface ProjectOverviewInfo extends Omit<ProjectInfo, 'labelSet'> {
  readonly datasets: number;
  readonly clips: number;
  readonly frames: number;
  readonly keyframes: number;
  readonly suggested: number;
  readonly masks: Record<MaskStatusName, number>;
  readonly selectionRounds: number;
  readonly runs: number;
}

/** A frame in the labelling queue, with why it is there. */
export interface FrameEntry {
  readonly frameId: number;
  readonly imagePath: string;
  readonly split: string;
  readonly width: number;
  readonly height: number;
  readonly status: MaskStatusName;
  /** 'suggested' (a selection round picked it) or 'keyframe' (the dataset's labelled frame). */
  readonly source: 'suggested' | 'keyframe';
  readonly rank: number | null;
  readonly method: string | null;
  readonly score: number | null;
  readonly diversityScore: number | null;
  readonly uncertaintyScore: number | null;
  /** ds_us: score = diversity + uncertaintyWeight x uncertainty (null for other methods). */
  readonly uncertaintyWeight: number | null;
  readonly work: MaskWorkInfo;
}

/** A frame to paint: its image as a data URL and its saved mask, if any. */
export interface FrameData {
  readonly frameId: number;
  readonly imagePath: string;
  readonly width: number;
  readonly height: number;
  readonly imageDataUrl: string;
  /** Saved mask bytes (class ids of the project's label set, 255 = not labelled, row-major) in base64; null when none is saved. */
  readonly maskBase64: string | null;
  /** 0 while no mask is saved. */
  readonly maskVersion: number;
  readonly status: MaskStatusName;
  /** The next frame of this frame's clip (its id); null for the clip's last frame. */
  readonly nextInClip: number | null;
  /** The previous frame of this frame's clip (its id); null for the clip's first frame. */
  readonly previousInClip: number | null;
  readonly work: MaskWorkInfo;
}

/** A frame's superpixels: every pixel's label and each label's mean colour. */
export interface FrameSuperpixels {
  readonly frameId: number;
  readonly width: number;
  readonly height: number;
  /** Labels 0..count-1; each is one 4-connected piece of the frame. */
  readonly count: number;
  /** SLIC's grid step in pixels (superpixels are about this wide). */
  readonly regionSize: number;
  /** Each pixel's label, row-major, 16 bits little-endian, in base64. */
  readonly labelsBase64: string;
  /** Mean CIELAB colour of each label: L, a, b of label k at 3k..3k+2. */
  readonly meanLab: number[];
  /** How long SLIC took on this frame, ms. */
  readonly computeMs: number;
}

/** A training run whose network gave assist features, and its checkpoint's step. */
export interface AssistFeatureSource {
  readonly runId: number;
  readonly step: number;
}

/**
 * The project's networks' features averaged over each superpixel of a frame (same labels as
 * frameSuperpixels): the SDE network's maps first, then a segmentation run's class
 * probabilities (the last `segDims` columns). Either part is absent where the project has no
 * such run.
 */
export interface FrameAssistFeatures {
  readonly frameId: number;
  readonly sde: AssistFeatureSource | null;
  readonly seg: AssistFeatureSource | null;
  /** Values per superpixel. */
  readonly dims: number;
  /** How many of the last values per superpixel are class probabilities. */
  readonly segDims: number;
  /** The maps read, in order. */
  readonly layers: string[];
  /** count x dims 32-bit floats, little-endian, in base64. */
  readonly featuresBase64: string;
}

/** A finished frame's mask carried to a neighbouring frame of its clip, as a proposal for that frame. */
export interface FramePropagation {
  /** The finished frame, and the frame of its clip the proposal is for (at `offset` from it: +1 next, -1 previous). */
  readonly fromFrameId: number;
  readonly frameId: number;
  readonly offset: 1 | -1;
  readonly width: number;
  readonly height: number;
  /** The SDE run whose depth and pose carried it, and its checkpoint's step. */
  readonly runId: number;
  readonly step: number;
  /** Class ids, one byte per pixel, row-major, 255 where nothing is proposed; base64. */
  readonly proposalBase64: string;
  /**
   * Pixels proposed, and why the others are not: out of view, seen differently in the
   * finished frame (disoccluded, depth unsure), of another colour there (moved, or the warp
   * is off: the colour check), unlabelled there.
   */
  readonly painted: number;
  readonly outOfView: number;
  readonly occluded: number;
  readonly mismatch: number;
  readonly unlabelled: number;
}

export interface MaskSaved {
  readonly frameId: number;
  readonly version: number;
  readonly status: MaskStatusName;
}

export type RunKindName = 'sde' | 'seg' | 'student';
export type RunStatusName = 'queued' | 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** A training run as the review lists it. */
export interface RunSummary {
  readonly id: number;
  readonly kind: RunKindName;
  readonly mode: string | null;
  readonly status: RunStatusName;
  readonly parentRunId: number | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  /** Step of its newest checkpoint; null while it has none. */
  readonly checkpointStep: number | null;
  /** What its newest checkpoint's model outputs can show. */
  readonly segments: boolean;
  readonly depth: boolean;
  /** Its last evaluated mIoU (0..100); null where none was recorded. */
  readonly miou: number | null;
}

export interface ReviewRuns {
  readonly runs: RunSummary[];
  /** The runs shown when none is chosen: the newest finished segmentation run; the newest finished SDE run (else a multi-task segmentation run). */
  readonly latestSeg: number | null;
  readonly latestDepth: number | null;
}

export interface ReviewFrameEntry {
  readonly frameId: number;
  readonly imagePath: string;
  readonly split: 'train' | 'val' | 'test';
  readonly width: number;
  readonly height: number;
  /** The dataset brings a label, or an annotator finished a mask. */
  readonly hasGroundTruth: boolean;
  readonly maskStatus: MaskStatusName;
}

/** Which model (run and checkpoint step) an output comes from. */
export interface ModelRef {
  readonly runId: number;
  readonly kind: RunKindName;
  readonly mode: string | null;
  readonly step: number;
}

/** A prediction at the frame's size (nearest-neighbour from the model's input size). */
export interface FramePrediction extends ModelRef {
  readonly frameId: number;
  readonly width: number;
  readonly height: number;
  /** The label set's colours, PNG data URL. */
  readonly dataUrl: string;
  /** Class ids, one byte per pixel, row-major, base64. */
  readonly classIdsBase64: string;
}

/** Predicted disparity coloured (bright = near) as a PNG data URL at the frame's size. */
export interface FrameDepthImage extends ModelRef {
  readonly frameId: number;
  readonly width: number;
  readonly height: number;
  readonly dataUrl: string;
}

export interface ReviewFrameData {
  readonly frameId: number;
  readonly imagePath: string;
  readonly split: 'train' | 'val' | 'test';
  readonly width: number;
  readonly height: number;
  readonly imageDataUrl: string;
  /** Without the class ids (the review does not need them). */
  readonly prediction: Omit<FramePrediction, 'classIdsBase64'> | null;
  readonly depth: FrameDepthImage | null;
  /** 'mask': a finished (or, without one, in-progress) mask painted here; 'dataset': the dataset's own label. */
  readonly groundTruth: { readonly source: 'mask' | 'dataset'; readonly dataUrl: string } | null;
  /** Red where the prediction differs from the ground truth, grey where it agrees, black where ignored. */
  readonly error: {
    readonly dataUrl: string;
    readonly labelledPixels: number;
    readonly wrongPixels: number;
    /** Pixel accuracy on this frame, 0..100. */
    readonly accuracy: number;
  } | null;
  /** Why a part is absent, in words. */
  readonly notes: string[];
}

export interface ClassIou {
  /** The class's id in the project's label set. */
  readonly classId: number;
  readonly name: string;
  /** 0..100; null where the class occurs neither in the ground truth nor in the predictions. */
  readonly iou: number | null;
}

export interface RunEvaluation {
  readonly run: RunSummary;
  /** The step the numbers are from; null where the run recorded no evaluation. */
  readonly step: number | null;
  /** 'checkpoint': the checkpoint's metrics (with the confusion matrix); 'metrics': the logged val/ metrics. */
  readonly source: 'checkpoint' | 'metrics' | 'none';
  readonly miou: number | null;
  readonly perClass: ClassIou[];
  /** counts[groundTruth][prediction], one row and column per class of the label set; null where not recorded. */
  readonly confusion: number[][] | null;
  /** val/miou over the run's evaluation steps. */
  readonly history: { readonly step: number; readonly miou: number }[];
}

export interface RunComparison {
  readonly a: RunEvaluation;
  readonly b: RunEvaluation;
  /** b - a; null where either has no mIoU. */
  readonly miouDelta: number | null;
  readonly perClass: { readonly classId: number; readonly name: string; readonly a: number | null; readonly b: number | null; readonly delta: number | null }[];
}

export type JobKindName = 'sde' | 'seg' | 'select';
export type JobStateName = 'queued' | 'starting' | 'running' | 'stopping' | 'done' | 'paused' | 'failed' | 'cancelled';

/** A background job (training run or selection round) as the UI follows it. */
export interface TrainingJobInfo {
  readonly jobId: string;
  readonly kind: JobKindName;
  readonly projectDir: string;
  /**
   * queued (a team project's job waiting for a worker), starting (engine loading), running,
   * stopping (cancel asked), then done, paused, failed or cancelled.
   */
  readonly state: JobStateName;
  /** The `depthseg worker` training it (a team project's job; docs/team-workers.md); null where the app trains it itself. */
  readonly worker: string | null;
  readonly startedAt: string;
  readonly endedAt: string | null;
  /** The settings it was started with (training: complete, as the run records them). */
  readonly settings: Record<string, unknown>;
  /** The training run, once the job created or took it up. */
  readonly runId: number | null;
  /** Training: loading, training, evaluating, saving, done, paused, failed; selection: features, student, uncertainty, entropy, select. */
  readonly phase: string | null;
  readonly step: number;
  readonly totalSteps: number;
  readonly loss: number | null;
  readonly lr: number | null;
  readonly stepsPerSecond: number | null;
  /** Seconds left (training: at the recent step rate, counting only the steps still to run). */
  readonly etaSeconds: number | null;
  readonly message: string | null;
  /** The compute backend the worker chose (wasm, cpu, node...). */
  readonly backend: string | null;
  /** The step a resumed run continued from. */
  readonly resumedFrom: number | null;
  readonly error: string | null;
  /** A finished training run's final metrics (numbers only). */
  readonly metrics: Record<string, number> | null;
  /** A finished selection round. */
  readonly selection: { readonly roundId: number; readonly method: string; readonly basis: string; readonly picks: number } | null;
}

export interface TrainingStatus {
  /** The job that has not ended yet (this project's or, with another project open, that one's). */
  readonly job: TrainingJobInfo | null;
  /** The newest ended job of the open project since the app started. */
  readonly last: TrainingJobInfo | null;
}

export interface TrainingDefaults {
  /** A new SDE run's settings where none is given: the declared defaults. */
  readonly sde: SdeSettings;
  /**
   * A new segmentation run's: the declared defaults with the net and size of the newest
   * finished SDE run, whose id is sdeRunId (null: none yet, so only scratch without DepthMix can train).
   */
  readonly seg: Omit<SegSettings, 'sdeCheckpoint'>;
  /** Why the segmentation defaults differ from the declared ones (no SDE model yet: scratch), or null. */
  readonly segNote: string | null;
  /** Why SDE pretraining cannot run on this project (no video clips, e.g. CamVid), or null where it can. */
  readonly sdeUnavailable: string | null;
  /** Frames with a finished mask that segmentation trains on (approved ones only where trainApprovedOnly). */
  readonly labelledFrames: number;
  /** The project trains only masks a reviewer approved (project setting). */
  readonly trainApprovedOnly: boolean;
}

/** A training run with what the history table shows. */
export interface TrainingRunInfo {
  readonly id: number;
  readonly kind: RunKindName;
  readonly mode: string | null;
  readonly status: RunStatusName;
  readonly parentRunId: number | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
  /** The step it reached (its newest checkpoint's where it stopped), and of how many. */
  readonly step: number;
  readonly totalSteps: number | null;
  readonly checkpointStep: number | null;
  /** Its settings as recorded (net, size, steps, mode, mix, lr...). */
  readonly config: Record<string, unknown>;
  /** The newest loss logged. */
  readonly loss: number | null;
  /** Numbers of its newest checkpoint's evaluation (seg: miou, pixelAccuracy; SDE: absRel, rmse, a1...). */
  readonly metrics: Record<string, number>;
  /**
   * A segmentation run whose newest evaluation put over 90% of the validation pixels in one
   * class (it learned the most common class, not the scene); null where it did not or was not evaluated.
   */
  readonly collapsed: { readonly className: string; readonly share: number } | null;
  /** Paused runs continue with trainingResume. */
  readonly resumable: boolean;
  /** This run belongs to the job running now. */
  readonly active: boolean;
}

export interface MetricSeries {
  readonly name: string;
  readonly points: { readonly step: number; readonly value: number }[];
}

export interface RunHistory {
  readonly runId: number;
  readonly kind: RunKindName;
  readonly totalSteps: number | null;
  /** 'loss', 'lr', 'val/miou', 'val/depth/absRel', ...; NaN values are left out. */
  readonly series: MetricSeries[];
}

/**
 * A command from the desktop app's menu for the window's UI to carry out: the folder comes
 * from the system's folder dialog or the recent-projects list (src/core/desktop/menu.ts).
 */
export type MenuCommand =
  | { readonly command: 'project.new'; readonly dir: string }
  | { readonly command: 'project.open'; readonly dir: string }
  | { readonly command: 'project.close' };

/** Events the core pushes to every connected UI (progress of long work...). */
export interface ApiEvents {
  /** Reserved for long-running work; payload defined by later issues. */
  'job.progress': { readonly jobId: string; readonly step: number; readonly total: number };
  /** A background job's state: on every phase change and at most a few times a second while it runs. */
  'training.progress': TrainingJobInfo;
  /** A project was closed (or replaced by another window's): windows showing it must reopen it. */
  'project.closed': { readonly projectId: number; readonly dir: string };
  /** Electron only: File menu commands (new, open, open recent, close project). */
  'menu.command': MenuCommand;
}
export type ApiEvent = keyof ApiEvents;

/** The API as the UI sees it. */
export type DepthsegApi = {
  [M in ApiMethod]: (params: ApiParams<M>) => Promise<ApiResults[M]>;
};

/** The API plus event subscription, as exposed to the renderer. */
export interface DepthsegBridge {
  call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]>;
  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** Name of the global the preload defines in the renderer (window[API_GLOBAL]). */
export const API_GLOBAL = 'depthseg';

/** IPC channel for API calls (Electron) and the path of the WebSocket endpoint (host). */
export const API_CHANNEL = 'depthseg-api';
export const API_EVENT_CHANNEL = 'depthseg-event';

/** An error as it crosses the boundary: a message the UI can show as it is. */
export interface ApiErrorPayload {
  readonly name: string;
  readonly message: string;
}

/** Checks a method name and its params; throws an Error the UI can show. */
export function validateCall(method: unknown, params: unknown): { method: ApiMethod; params: unknown } {
  if (typeof method !== 'string' || !Object.hasOwn(API_PARAMS, method)) {
    throw new Error(`unknown API method ${JSON.stringify(method)}`);
  }
  const schema = API_PARAMS[method as ApiMethod];
  const parsed = schema.safeParse(params ?? {});
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new Error(`invalid params for ${method}: ${issues}`);
  }
  return { method: method as ApiMethod, params: parsed.data };
}
