import { existsSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectOverview } from '../store';
import type { ApiEvent, ApiEvents, AppInfo, DepthsegApi } from './contract';
import { frameGet, frameList, maskSave, maskSetStatus } from './labellingService';
import { ModelCache } from './modelCache';
import { ProjectSession } from './projectSession';
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
  const session = new ProjectSession();
  /** Trained models loaded for review, one per run; emptied when the project changes. */
  const models = new ModelCache();
  /** Training and selection in worker threads, one job at a time. */
  const jobs = new TrainingJobs({ ...opts.jobs, ...(opts.emit ? { emit: opts.emit } : {}) });
  const remember = <T extends { dir: string; name: string }>(p: T): T => {
    rememberRecent(recentFile, p);
    return p;
  };
  return {
    async appInfo() {
      return { name: 'DepthSeg Workbench', version, shell };
    },
    async projectCreate(p) {
      models.clear();
      return remember(await session.create(p));
    },
    async projectOpen(p) {
      models.clear();
      return remember(session.openDir(p.dir));
    },
    async projectRecent() {
      return listRecent(recentFile);
    },
    async projectClose() {
      models.clear();
      return { closed: session.close() };
    },
    async projectOverview() {
      const { store, project } = session.open;
      return { ...session.info, ...projectOverview(store, project.id) };
    },
    async frameList(p) {
      return frameList(session, p);
    },
    async frameGet(p) {
      return frameGet(session, p.frameId);
    },
    async maskSave(p) {
      return maskSave(session, p, author);
    },
    async maskSetStatus(p) {
      return maskSetStatus(session, p.frameId, p.status);
    },
    async reviewRuns() {
      return reviewRuns(session);
    },
    async reviewFrames(p) {
      return reviewFrames(session, p);
    },
    async reviewFrame(p) {
      return reviewFrame(session, models, p);
    },
    async reviewPrediction(p) {
      return reviewPrediction(session, models, p);
    },
    async reviewDepth(p) {
      return reviewDepth(session, models, p);
    },
    async reviewEvaluation(p) {
      return reviewEvaluation(session, p);
    },
    async reviewCompare(p) {
      return reviewCompare(session, p);
    },
    async trainingStatus() {
      return jobs.status(session);
    },
    async trainingDefaults() {
      return jobs.defaults(session);
    },
    async trainingStartSde(p) {
      return jobs.startSde(session, p);
    },
    async trainingStartSeg(p) {
      return jobs.startSeg(session, p);
    },
    async trainingCancel() {
      return jobs.cancel();
    },
    async trainingResume(p) {
      return jobs.resume(session, p.runId);
    },
    async trainingRuns() {
      return jobs.runs(session);
    },
    async trainingHistory(p) {
      return jobs.history(session, p.runId, p.maxPoints);
    },
    async selectionSuggest(p) {
      return jobs.suggest(session, p);
    },
    jobs,
    close() {
      jobs.close();
      models.clear();
      session.close();
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

/** Runs a validated call on the service. */
export function dispatch(service: DepthsegApi, method: keyof DepthsegApi, params: unknown): Promise<unknown> {
  const fn = service[method] as (p: unknown) => Promise<unknown>;
  return fn(params);
}
