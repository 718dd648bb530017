/**
 * Background jobs of the API: SDE pretraining, segmentation retraining and selection rounds,
 * each in a worker thread (src/core/jobs) so the process that serves the UI never trains.
 * One job at a time: a second start is refused with what is running. The job's state follows
 * the worker's messages and reaches the UI as 'training.progress' events (on every phase
 * change, and at most every 250 ms while it runs) and from trainingStatus. Runs, their metrics
 * and curves come from the project store, which the worker writes as it trains.
 */
import { UsageError } from '../errors';
import type { LabelSet } from '../labels';
import type { BackendChoice } from '../engine/backend';
import type { ProjectJobReport, SelectJobParams, SelectJobResult, TrainJobParams, TrainJobResult } from '../jobs/kinds/projectJobs';
import type { FromWorker, TerminalMessage } from '../jobs/protocol';
import { startJob, type JobHandle } from '../jobs/runner';
import { openProject } from '../project/openProject';
import { getRun, getSetting, latestCheckpoint, listRuns, metricHistory, metricNames, setRunStatus, type TrainingRun } from '../store';
import type { ApiParams, JobKindName, MetricSeries, RunHistory, TrainingJobInfo, TrainingRunInfo, TrainingStatus } from './contract';
import type { OpenProject } from '../project/openProject';
import { projectRun } from './projectSession';
import { newSdeSettings, newSegSettings, trainingDefaults } from './trainingSettings';
import { pausedRun, storedSettings } from '../project/runResume';
import { checkSegResume } from '../project/trainSeg';
import { SDE_SETTINGS } from '../settings';
import { runDriverGone } from '../project/runLoop';
import { finite, numbersOf } from './jobNumbers';
import { RemoteJobs } from './remoteJobs';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface TrainingJobsOptions {
  emit?: (event: 'training.progress', payload: TrainingJobInfo) => void;
  /** The worker script; default: workerEntry.mjs beside the job runner (see startJob). */
  workerScript?: string | URL;
  /** Engine backend for the jobs (default: the project's setting engine.backend, else DEPTHSEG_BACKEND, else auto). */
  backend?: BackendChoice;
  threads?: number;
  /** Steps between checkpoints (default: the core's, a tenth of the run). */
  checkpointEvery?: number;
  /** Minimum time between progress events while a job runs (default 250 ms). */
  emitEveryMs?: number;
  /** Team projects: a running job whose worker is silent this long (s) is said to have lost it (default: the workers' timeout). */
  staleAfterS?: number;
}

interface ActiveJob {
  info: Mutable<TrainingJobInfo>;
  handle: JobHandle;
}


/** A collapsed run's class (by name) and share, from its checkpoint metrics. */
function collapsedOf(m: Record<string, unknown>, labelSet: LabelSet): TrainingRunInfo['collapsed'] {
  const k = typeof m['majorityClass'] === 'number' ? m['majorityClass'] : -1;
  return { className: labelSet.classes[k]?.name ?? `class ${k}`, share: finite(m['majorityShare']) ?? 1 };
}

/** A team project: its rows in PostgreSQL, its training on `depthseg worker`s. */
const isTeam = (open: OpenProject): boolean => open.store.engine === 'postgres';

const KIND_TEXT: Record<JobKindName, string> = { sde: 'SDE pretraining', seg: 'retraining', select: 'a selection round' };

export class TrainingJobs {
  private active: ActiveJob | null = null;
  /** The newest ended job per project folder. */
  private readonly ended = new Map<string, TrainingJobInfo>();
  private lastEmit = 0;
  private lastPhase: string | null = null;
  private readonly waiters = new Set<() => void>();

  private readonly remote: RemoteJobs;

  constructor(private readonly opts: TrainingJobsOptions = {}) {
    this.remote = new RemoteJobs({
      ...(opts.emit ? { emit: opts.emit } : {}),
      ...(opts.checkpointEvery !== undefined ? { checkpointEvery: opts.checkpointEvery } : {}),
      ...(opts.staleAfterS !== undefined ? { staleAfterS: opts.staleAfterS } : {}),
    });
  }

  async status(open: OpenProject): Promise<TrainingStatus> {
    const dir = open.store.dir;
    const local = { job: this.active ? { ...this.active.info } : null, last: this.ended.get(dir) ?? null };
    if (!isTeam(open)) return local;
    const remote = await this.remote.status(open);
    return { job: local.job ?? remote.job, last: remote.last ?? local.last };
  }

  async defaults(open: OpenProject): Promise<ReturnType<typeof trainingDefaults>> {
    return await trainingDefaults(open);
  }

  /** A new SDE run with these settings (the declared defaults where none are given). */
  async startSde(open: OpenProject, p: ApiParams<'trainingStartSde'>): Promise<TrainingJobInfo> {
    await this.checkFree(open);
    const settings = newSdeSettings(p.settings);
    return await this.start(open, 'sde', { settings });
  }

  /** A new segmentation run ("Retrain"). */
  async startSeg(open: OpenProject, p: ApiParams<'trainingStartSeg'>): Promise<TrainingJobInfo> {
    await this.checkFree(open);
    const settings = await newSegSettings(open, p.settings);
    return await this.start(open, 'seg', { settings });
  }

  /** Continues paused run `runId` from its newest checkpoint, with the settings it stored. */
  async resume(open: OpenProject, runId: number): Promise<TrainingJobInfo> {
    await this.checkFree(open);
    const run = await projectRun(open, runId);
    if (run.kind !== 'sde' && run.kind !== 'seg') throw new UsageError(`run #${runId} is a ${run.kind} run: only SDE and segmentation runs resume here`);
    // Refused at once, saying why, where the run cannot continue (not paused, unreadable settings, its frames no longer done).
    const paused = await pausedRun(open, runId, run.kind);
    if (run.kind === 'seg') await checkSegResume(open, runId);
    else storedSettings(paused, SDE_SETTINGS);
    return await this.start(open, run.kind, { settings: paused.config, resume: runId });
  }

  async suggest(open: OpenProject, p: ApiParams<'selectionSuggest'>): Promise<TrainingJobInfo> {
    await this.checkFree(open);
    const params: SelectJobParams = {
      projectDir: open.store.dir,
      budget: p.budget,
      method: p.method ?? 'ds_us',
      ...(p.studentSteps !== undefined ? { studentSteps: p.studentSteps } : {}),
      ...(p.seed !== undefined ? { seed: p.seed } : {}),
    };
    const { projectDir: _dir, ...shown } = params;
    return await this.launch(open, 'select', 'select-round', params, shown);
  }

  /** Asks the project's running job to stop; a training run checkpoints and pauses. Another project's job is left alone. */
  async cancel(open: OpenProject): Promise<{ cancelled: boolean }> {
    const local = this.cancelLocal(open);
    if (local.cancelled || !isTeam(open)) return local;
    return await this.remote.cancel(open);
  }

  private cancelLocal(open?: OpenProject): { cancelled: boolean } {
    const a = this.active;
    if (!a || a.info.state === 'stopping' || (open && a.info.projectDir !== open.store.dir)) return { cancelled: false };
    a.info.state = 'stopping';
    a.info.message = a.info.kind === 'select' ? 'stopping…' : 'stopping: saving a checkpoint after this step…';
    a.handle.cancel();
    this.publish(true);
    return { cancelled: true };
  }

  async runs(open: OpenProject): Promise<TrainingRunInfo[]> {
    const { store, project } = open;
    const activeRun = this.active?.info.projectDir === store.dir ? this.active.info.runId : isTeam(open) ? await this.remote.activeRunId(open) : null;
    return Promise.all((await listRuns(store, project.id)).map(async (r): Promise<TrainingRunInfo> => {
      const ckpt = await latestCheckpoint(store, r.id);
      const progressStep = finite(r.progress['step']);
      const loss = (await metricHistory(store, r.id, 'loss')).filter((m) => Number.isFinite(m.value)).at(-1)?.value ?? null;
      return {
        id: r.id,
        kind: r.kind,
        mode: r.mode,
        status: r.status,
        parentRunId: r.parentRunId,
        createdAt: r.createdAt,
        startedAt: r.startedAt,
        finishedAt: r.finishedAt,
        error: r.error,
        step: r.status === 'running' ? (progressStep ?? ckpt?.step ?? 0) : (ckpt?.step ?? progressStep ?? 0),
        totalSteps: finite(r.config['steps']),
        checkpointStep: ckpt?.step ?? null,
        config: r.config,
        loss,
        metrics: ckpt ? numbersOf(ckpt.metrics) : {},
        collapsed: ckpt && ckpt.metrics['collapsed'] === true ? collapsedOf(ckpt.metrics, project.labelSet) : null,
        resumable: r.status === 'paused' && (r.kind === 'sde' || r.kind === 'seg'),
        active: r.id === activeRun,
      };
    }));
  }

  async history(open: OpenProject, runId: number, maxPoints = 400): Promise<RunHistory> {
    const { store } = open;
    const run = await projectRun(open, runId);
    const names = (await metricNames(store, runId)).filter((n) => n === 'loss' || n === 'lr' || n === 'val/miou' || n === 'val/pixelAccuracy' || n.startsWith('val/depth/'));
    const series: MetricSeries[] = await Promise.all(names.map(async (name) => ({
      name,
      points: thin(
        (await metricHistory(store, runId, name))
          .filter((m) => Number.isFinite(m.value))
          .map((m) => ({ step: m.step, value: m.value })),
        maxPoints,
      ),
    })));
    return { runId, kind: run.kind, totalSteps: finite(run.config['steps']), series };
  }

  /** Resolves once no job is running (tests, shutdown). */
  idle(): Promise<void> {
    if (!this.active) return Promise.resolve();
    return new Promise((ok) => this.waiters.add(ok));
  }

  /** Stops the running job (closing the app): the run checkpoints and pauses if it can in time. */
  close(): void {
    this.cancelLocal();
    this.remote.close();
  }

  // ------------------------------------------------------------------ internals

  /** One job at a time, and no run of this project running elsewhere (the CLI). */
  private async checkFree(open: OpenProject): Promise<void> {
    if (isTeam(open)) await this.remote.checkFree(open);
    const a = this.active;
    if (a) {
      const what = `${KIND_TEXT[a.info.kind]}${a.info.runId !== null ? ` (run #${a.info.runId}, step ${a.info.step}/${a.info.totalSteps})` : ''}`;
      const where = a.info.projectDir === open.store.dir ? '' : ` in the project ${a.info.projectDir}`;
      throw new UsageError(`${what} is running${where}: wait for it to finish or cancel it first (one job at a time)`);
    }
    const { store, project } = open;
    for (const r of await listRuns(store, project.id)) {
      if (r.status !== 'running') continue;
      const pid = finite(r.progress['pid']);
      if (pid === process.pid || runDriverGone(r.progress)) {
        // Left running by a job of this process that was stopped hard, or by a process that is gone.
        await setRunStatus(store, r.id, 'paused');
        continue;
      }
      throw new UsageError(`training run #${r.id} (${r.kind}${r.mode ? `, ${r.mode}` : ''}) is running in this project in another process (pid ${pid}): wait for it or stop it there first`);
    }
  }

  /** A training job: new settings (resolved, as the run will store them), or a paused run to resume. */
  private async start(open: OpenProject, kind: 'sde' | 'seg', run: { settings: object; resume?: number }): Promise<TrainingJobInfo> {
    if (isTeam(open)) return await this.remote.enqueue(open, kind, run);
    const params: TrainJobParams = {
      projectDir: open.store.dir,
      settings: run.settings as Record<string, unknown>,
      ...(run.resume !== undefined ? { resume: run.resume } : {}),
      ...(this.opts.checkpointEvery !== undefined ? { checkpointEvery: this.opts.checkpointEvery } : {}),
    };
    return await this.launch(open, kind, kind === 'sde' ? 'train-sde' : 'train-seg', params, run.settings as Record<string, unknown>);
  }

  private async launch(open: OpenProject, kind: JobKindName, jobKind: string, params: unknown, settings: Record<string, unknown>): Promise<TrainingJobInfo> {
    const { store } = open;
    const setting = await getSetting(store, 'engine.backend');
    const backend = this.opts.backend ?? (typeof setting === 'string' ? (setting as BackendChoice) : undefined);
    const totalSteps = kind === 'select' ? 0 : (finite(settings['steps']) ?? 0);
    const info: Mutable<TrainingJobInfo> = {
      jobId: '',
      kind,
      projectDir: store.dir,
      state: 'starting',
      startedAt: new Date().toISOString(),
      endedAt: null,
      settings,
      runId: null,
      phase: null,
      step: 0,
      totalSteps,
      loss: null,
      lr: null,
      stepsPerSecond: null,
      etaSeconds: null,
      message: 'starting the training engine…',
      backend: null,
      worker: null,
      resumedFrom: null,
      error: null,
      metrics: null,
      selection: null,
    };
    const handle = startJob(
      {
        kind: jobKind,
        params,
        ...(backend ? { backend } : {}),
        ...(this.opts.threads !== undefined ? { threads: this.opts.threads } : {}),
        ...(this.opts.workerScript !== undefined ? { workerScript: this.opts.workerScript } : {}),
        // A training step plus the checkpoint the stop saves can take a while on large nets.
        cancelGraceMs: 300_000,
      },
      (m) => this.onMessage(info, m),
    );
    info.jobId = handle.jobId;
    this.active = { info, handle };
    this.lastPhase = null;
    void handle.done.then(async (m) => await this.onEnd(info, m));
    this.publish(true);
    return { ...info };
  }

  private onMessage(info: Mutable<TrainingJobInfo>, m: FromWorker): void {
    switch (m.type) {
      case 'started':
        info.backend = m.backend;
        if (info.state === 'starting') info.state = 'running';
        info.message = null;
        this.publish(true);
        return;
      case 'report':
        this.onReport(info, m.data as ProjectJobReport);
        return;
      default:
        return;
    }
  }

  private onReport(info: Mutable<TrainingJobInfo>, r: ProjectJobReport): void {
    if (r.type === 'run') {
      const e = r.progress;
      info.runId = e.runId;
      info.phase = e.phase;
      info.step = e.step;
      info.totalSteps = e.totalSteps;
      if (e.loss !== undefined) info.loss = finite(e.loss);
      if (e.lr !== undefined) info.lr = finite(e.lr);
      if (e.stepsPerSecond !== undefined) info.stepsPerSecond = finite(e.stepsPerSecond);
      if (e.etaSeconds !== undefined) info.etaSeconds = finite(e.etaSeconds);
      if (e.resumingFrom !== undefined) info.resumedFrom = e.resumingFrom;
      if (info.state !== 'stopping') info.message = phaseMessage(e.phase, e.step, e.message);
    } else {
      const e = r.progress;
      info.phase = e.phase;
      info.step = e.done;
      info.totalSteps = e.total;
      if (e.loss !== undefined) info.loss = finite(e.loss);
      if (info.state !== 'stopping') info.message = SELECTION_PHASE_TEXT[e.phase] ?? e.phase;
    }
    if (info.state === 'starting') info.state = 'running';
    this.publish(info.phase !== this.lastPhase);
    this.lastPhase = info.phase;
  }

  private async onEnd(info: Mutable<TrainingJobInfo>, m: TerminalMessage): Promise<void> {
    const stopping = info.state === 'stopping';
    info.endedAt = new Date().toISOString();
    info.etaSeconds = null;
    info.stepsPerSecond = null;
    if (m.type === 'failed') {
      info.state = stopping && info.kind === 'select' ? 'cancelled' : 'failed';
      info.error = info.state === 'cancelled' ? null : m.message;
      info.message = info.state === 'cancelled' ? 'cancelled: no frames were added' : null;
    } else if (info.kind === 'select') {
      const r = m.result as SelectJobResult;
      info.state = 'done';
      info.selection = { roundId: r.roundId, method: r.method, basis: r.basis, picks: r.picks.length };
      info.message = `${r.picks.length} frame${r.picks.length === 1 ? '' : 's'} added to the queue`;
    } else if (m.result && typeof m.result === 'object' && 'runId' in m.result) {
      const r = m.result as TrainJobResult;
      info.runId = r.runId;
      info.state = r.status;
      info.step = r.step;
      info.resumedFrom = r.resumedFrom;
      info.error = r.error;
      info.metrics = numbersOf(r.metrics);
      info.message =
        r.status === 'paused' ? `paused at step ${r.step}: resume continues from there` : r.status === 'done' ? `done: ${r.step} steps` : (r.error ?? 'failed');
    } else {
      // Terminated after the cancel grace time: the run keeps its last checkpoint.
      info.state = 'paused';
      info.message = 'stopped; the run continues from its last checkpoint when resumed';
    }
    await this.settleRun(info);
    this.ended.set(info.projectDir, { ...info });
    if (this.active?.info === info) this.active = null;
    this.publish(true, info);
    for (const w of this.waiters) w();
    this.waiters.clear();
  }

  /** A run the worker could not close (terminated, crashed) is paused: it continues from its last checkpoint. */
  private async settleRun(info: TrainingJobInfo): Promise<void> {
    if (info.runId === null) return;
    try {
      const p = await openProject(info.projectDir);
      try {
        const run = await getRun(p.store, info.runId);
        if (run.status === 'running') await setRunStatus(p.store, run.id, 'paused');
      } finally {
        await p.close();
      }
    } catch {
      // the project folder went away: nothing to settle
    }
  }

  private publish(force: boolean, info: TrainingJobInfo | undefined = this.active?.info): void {
    if (!info || !this.opts.emit) return;
    const now = performance.now();
    if (!force && now - this.lastEmit < (this.opts.emitEveryMs ?? 250)) return;
    this.lastEmit = now;
    this.opts.emit('training.progress', { ...info });
  }
}

const SELECTION_PHASE_TEXT: Record<string, string> = {
  features: 'computing SDE features of the frames',
  student: 'training the uncertainty student',
  uncertainty: 'scoring depth uncertainty',
  entropy: 'scoring segmentation entropy',
  select: 'picking frames',
};

function phaseMessage(phase: string, step: number, given: string | undefined): string | null {
  if (given) return given;
  switch (phase) {
    case 'loading':
      return 'loading…';
    case 'evaluating':
      return `evaluating at step ${step}`;
    case 'saving':
      return `saving a checkpoint at step ${step}`;
    default:
      return null;
  }
}

/**
 * At most `max` points: the means of runs of k consecutive points, each at its run's last
 * step (a noisy loss curve stays readable; the last point is the newest step).
 */
export function thin(points: { step: number; value: number }[], max: number): { step: number; value: number }[] {
  if (points.length <= max) return points;
  const k = Math.ceil(points.length / max);
  const out: { step: number; value: number }[] = [];
  for (let i = 0; i < points.length; i += k) {
    const run = points.slice(i, i + k);
    out.push({ step: run.at(-1)!.step, value: run.reduce((a, p) => a + p.value, 0) / run.length });
  }
  return out;
}
