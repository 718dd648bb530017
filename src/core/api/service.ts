import { existsSync, readFileSync } from 'node:fs';
import { exportLabels } from '../project/exportLabels';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectOverview } from '../store';
import type { OpenProject } from '../project/openProject';
import type { Caller } from './caller';
import { checkRole } from './methodRoles';
import type { ApiEvent, ApiEvents, AppInfo, DepthsegApi, ProjectInfo } from './contract';
import { frameGet, frameList, frameNext, frameRelease, maskHistoryOf, maskReview, maskSave, maskSetStatus, type Actor } from './labellingService';
import { readProjectSettings, writeProjectSettings } from '../project/projectSettings';
import { ModelCache } from './modelCache';
import { ProjectSession } from './projectSession';
import { framePropagate } from './propagationService';
import { SuperpixelCache } from './superpixelService';
import { TrainingJobs, type TrainingJobsOptions } from './trainingService';
import { reviewCompare, reviewDepth, reviewEvaluation, reviewFrame, reviewFrames, reviewPrediction, reviewRuns } from './reviewService';
import { defaultRecentFile, listRecent, rememberRecent } from './recentProjects';

/**
 * The version in the nearest package.json above this module: the repository's when it runs
 * from the sources, the app's own when it runs bundled (out/main, also inside app.asar).
 */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(dir) === dir) throw new Error('no package.json above the workbench core');
  }
}

/** Where the service pushes events; the Electron main process and the host each supply one. */
export type EventSink = <E extends ApiEvent>(event: E, payload: ApiEvents[E]) => void;

/** The API's implementation over the core; the Electron main process and the host share it. */
export function createService(
  shell: AppInfo['shell'],
  opts: {
    version?: string;
    emit?: EventSink;
    recentFile?: string;
    author?: string;
    /** Options of the background jobs (worker script of a bundled app, engine backend, checkpoints). */
    jobs?: Omit<TrainingJobsOptions, 'emit'>;
  } = {},
): DepthsegApi & { close(): void; readonly jobs: TrainingJobs } {
  const version = opts.version ?? packageVersion();
  const recentFile = opts.recentFile ?? defaultRecentFile();
  const author = opts.author ?? safeUserName();
  /** Trained models loaded for review, one per run; emptied when the project changes. */
  const models = new ModelCache();
  /** Superpixels of the last frames opened; emptied when the project changes. */
  const superpixels = new SuperpixelCache();
  const session = new ProjectSession((projectId, dir) => {
    models.clear();
    superpixels.clear();
    opts.emit?.('project.closed', { projectId, dir });
  });
  /** Training and selection in worker threads, one job at a time. */
  const jobs = new TrainingJobs({ ...opts.jobs, ...(opts.emit ? { emit: opts.emit } : {}) });
  const remember = (p: ProjectInfo): ProjectInfo => {
    rememberRecent(recentFile, p);
    return p;
  };
  /** The open project a call names; ProjectClosedError where it is no longer the open one. */
  const on = (p: { projectId: number }): OpenProject => session.require(p.projectId);
  /** Who makes a call: the team server's caller, else this service's own user. */
  const actor = (caller?: Caller): Actor => (caller ? { user: caller.user, caller } : { user: author });
  return {
    async appInfo() {
      return { name: 'DepthSeg Workbench', version, shell };
    },
    async projectCreate(p) {
      return remember(await session.create(p));
    },
    async projectOpen(p) {
      return remember(await session.openDir(p.dir));
    },
    async projectRecent() {
      return listRecent(recentFile);
    },
    async projectClose(p) {
      return { closed: await session.close(p.projectId) };
    },
    async projectOverview(p) {
      const open = on(p);
      return { projectId: p.projectId, dir: open.store.dir, name: open.project.name, ...await projectOverview(open.store, open.project.id) };
    },
    async frameList(p) {
      return await frameList(on(p), p);
    },
    async frameGet(p) {
      return frameGet(on(p), p.frameId);
    },
    async maskSave(p, caller?: Caller) {
      return maskSave(on(p), p, actor(caller));
    },
    async maskSetStatus(p, caller?: Caller) {
      return await maskSetStatus(on(p), p.frameId, p.status, actor(caller));
    },
    async frameNext(p, caller?: Caller) {
      return await frameNext(on(p), actor(caller));
    },
    async frameRelease(p, caller?: Caller) {
      return await frameRelease(on(p), p.frameId, actor(caller));
    },
    async maskReview(p, caller?: Caller) {
      return await maskReview(on(p), p, actor(caller));
    },
    async maskHistory(p) {
      return await maskHistoryOf(on(p), p.frameId);
    },
    async projectSettingsGet(p) {
      return await readProjectSettings(on(p).store);
    },
    async projectSettingsSet(p) {
      const { projectId: _id, ...patch } = p;
      return await writeProjectSettings(on(p).store, patch);
    },
    async frameSuperpixels(p) {
      return superpixels.get(on(p), p.frameId);
    },
    async frameAssistFeatures(p) {
      return superpixels.networkFeatures(on(p), models, p);
    },
    async framePropagate(p) {
      return framePropagate(on(p), models, p.frameId, p.offset);
    },
    async reviewRuns(p) {
      return await reviewRuns(on(p));
    },
    async reviewFrames(p) {
      return await reviewFrames(on(p), p);
    },
    async reviewFrame(p) {
      return reviewFrame(on(p), models, p);
    },
    async reviewPrediction(p) {
      return reviewPrediction(on(p), models, p);
    },
    async reviewDepth(p) {
      return reviewDepth(on(p), models, p);
    },
    async reviewEvaluation(p) {
      return await reviewEvaluation(on(p), p);
    },
    async reviewCompare(p) {
      return await reviewCompare(on(p), p);
    },
    async trainingStatus(p) {
      return await jobs.status(on(p));
    },
    async trainingDefaults(p) {
      return await jobs.defaults(on(p));
    },
    async trainingStartSde(p) {
      return await jobs.startSde(on(p), p);
    },
    async trainingStartSeg(p) {
      return await jobs.startSeg(on(p), p);
    },
    async trainingCancel(p) {
      return await jobs.cancel(on(p));
    },
    async trainingResume(p) {
      return await jobs.resume(on(p), p.runId);
    },
    async trainingRuns(p) {
      return await jobs.runs(on(p));
    },
    async trainingHistory(p) {
      return await jobs.history(on(p), p.runId, p.maxPoints);
    },
    async selectionSuggest(p) {
      return await jobs.suggest(on(p), p);
    },
    async labelsExport(p) {
      const { exported, files, out, manifest } = await exportLabels(on(p), { out: resolve(p.out), ...(p.statuses ? { statuses: p.statuses } : {}) });
      return { exported, files, out, manifest };
    },
    jobs,
    async close() {
      jobs.close();
      models.clear();
      superpixels.clear();
      await session.close();
    },
  };
}

function safeUserName(): string {
  try {
    return userInfo().username || 'annotator';
  } catch {
    return 'annotator';
  }
}

/**
 * Runs a validated call on the service. `caller` is who makes it where the shell knows (a team
 * server's signed-in account): its role must allow the method (methodRoles.ts), or the call is
 * refused in words before it reaches the service. Without one the service's own `author` is the
 * caller, with every role (the desktop app, the local host).
 */
export async function dispatch(service: DepthsegApi, method: keyof DepthsegApi, params: unknown, caller?: Caller): Promise<unknown> {
  if (caller) checkRole(method, caller);
  const fn = service[method] as (p: unknown, c?: Caller) => Promise<unknown>;
  return await fn(params, caller);
}
