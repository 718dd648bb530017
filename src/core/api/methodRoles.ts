/**
 * Who may make each API call on a team server: ONE table, so that a method added to the
 * contract without a decision about its roles fails typecheck. The desktop app and the local
 * `depthseg serve` have no accounts: their one user may do everything (dispatch without a caller).
 *
 * annotator: paint (frames, masks, superpixels and assist, propagation), the overview, and
 *            read what the annotate and training views show (runs, predictions, depth, status);
 * reviewer:  that, plus approving or sending back masks and the review's evaluations and comparisons;
 * engineer:  everything, training, selection rounds and export included.
 */
import { NotAllowedError } from '../errors';
import type { Caller, Role } from './caller';
import type { ApiMethod } from './contract';

const ALL: readonly Role[] = ['annotator', 'reviewer', 'engineer'];
const REVIEW: readonly Role[] = ['reviewer', 'engineer'];
const ENGINEER: readonly Role[] = ['engineer'];

export const METHOD_ROLES: Record<ApiMethod, readonly Role[]> = {
  appInfo: ALL,
  // A team server serves one project: opening, listing and closing are about that one only (teamService.ts).
  projectCreate: ENGINEER,
  projectOpen: ALL,
  projectRecent: ALL,
  projectClose: ALL,
  projectOverview: ALL,
  frameList: ALL,
  frameGet: ALL,
  maskSave: ALL,
  maskSetStatus: ALL,
  // The team queue (docs/team-queue.md): everyone takes and gives back frames and reads a mask's history;
  // approving or sending back is the review's, the project's settings (train approved masks only) the engineer's.
  frameNext: ALL,
  frameRelease: ALL,
  maskHistory: ALL,
  maskReview: REVIEW,
  projectSettingsGet: ALL,
  projectSettingsSet: ENGINEER,
  frameSuperpixels: ALL,
  frameAssistFeatures: ALL,
  framePropagate: ALL,
  // The annotate view shows a run's prediction and depth as layers: annotators read these.
  reviewRuns: ALL,
  reviewFrames: ALL,
  reviewFrame: ALL,
  reviewPrediction: ALL,
  reviewDepth: ALL,
  reviewEvaluation: REVIEW,
  reviewCompare: REVIEW,
  trainingStatus: ALL,
  trainingDefaults: ALL,
  trainingRuns: ALL,
  trainingHistory: ALL,
  trainingStartSde: ENGINEER,
  trainingStartSeg: ENGINEER,
  trainingCancel: ENGINEER,
  trainingResume: ENGINEER,
  selectionSuggest: ENGINEER,
  labelsExport: ENGINEER,
};

/** What a refused call would have done, in words ("annotators cannot start training"); the method's name otherwise. */
const ACTIONS: Partial<Record<ApiMethod, string>> = {
  projectCreate: 'create projects',
  maskReview: 'approve or send back masks',
  projectSettingsSet: "change the project's settings",
  reviewEvaluation: "read a run's evaluation",
  reviewCompare: 'compare runs',
  trainingStartSde: 'start training',
  trainingStartSeg: 'start training',
  trainingCancel: 'stop training',
  trainingResume: 'resume training',
  selectionSuggest: 'start a selection round',
  labelsExport: 'export labels',
};

const ASK: Record<Role, string> = { annotator: 'an annotator', reviewer: 'a reviewer', engineer: 'an engineer' };

/** Why `role` may not call `method`, in words; null where it may. */
export function refusal(method: ApiMethod, role: Role): string | null {
  const roles = METHOD_ROLES[method];
  if (roles.includes(role)) return null;
  const who = roles.map((r) => ASK[r]).join(' or ');
  return `${role}s cannot ${ACTIONS[method] ?? `call ${method}`}: ask ${who || 'nobody (no role may)'}`;
}

/** Throws NotAllowedError where the caller's role may not make the call. */
export function checkRole(method: ApiMethod, caller: Caller): void {
  const why = refusal(method, caller.role);
  if (why) throw new NotAllowedError(why);
}

/** Every refusal for one role, by method (the sign-in answer gives it to the UI, which disables what would be refused). */
export function refusalsFor(role: Role): Partial<Record<ApiMethod, string>> {
  const out: Partial<Record<ApiMethod, string>> = {};
  for (const m of Object.keys(METHOD_ROLES) as ApiMethod[]) {
    const why = refusal(m, role);
    if (why) out[m] = why;
  }
  return out;
}
