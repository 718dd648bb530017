import { defineStore } from 'pinia';
import {
  SDE_SETTINGS,
  SEG_SETTINGS_IN_APP,
  type RunHistory,
  type SdeSettingsInput,
  type SegSettingsInput,
  type TrainingDefaults,
  type TrainingJobInfo,
  type TrainingRunInfo,
  type TrainingStatus,
} from '../../../core/api/contract';
import { api } from '../api/bridge';
import { errorText, isProjectClosed } from '../api/errors';
import { checkForm, formFrom, formSettings, type FormCheck, type SettingsForm } from '../training/settingsForm';
import { jobEnded } from '../training/trainingFormat';
import { type ProjectParams, useProjectStore } from './project';

/** An error in words; null for "the project was closed" (the window's banner says that). */
const message = (e: unknown): string | null => (isProjectClosed(e) ? null : errorText(e));
const call: ReturnType<typeof useProjectStore>['call'] = (method, params) => useProjectStore().call(method, params);

/** How often the store asks for the job's state while one runs (events come in between). */
const POLL_MS = 1000;
/** How often the run list and the curves of a run that is training are reloaded. */
const LIVE_MS = 2000;

/**
 * The Retrain form from the defaults; its SDE run starts at "the newest" (null), so the run
 * picked is the newest when Retrain is pressed, not when the form was filled.
 */
const segFormFrom = (d: TrainingDefaults): SettingsForm => formFrom(SEG_SETTINGS_IN_APP, { ...d.seg, sdeRunId: null });

let unsubscribe: (() => void) | null = null;
let pollTimer: ReturnType<typeof setInterval> | null = null;
let liveLoadedAt = 0;
/** Called when a job ends (the queue reloads after a selection round). */
const endListeners = new Set<(job: TrainingJobInfo) => void>();

/**
 * Training and selection jobs: the one running now (live from events, polled as a fallback),
 * the run history, a run's curves, and the settings forms for SDE pretraining and retraining.
 */
export const useTrainingStore = defineStore('training', {
  state: () => ({
    projectDir: null as string | null,
    status: { job: null, last: null } as TrainingStatus,
    runs: [] as TrainingRunInfo[],
    defaults: null as TrainingDefaults | null,
    /** The run whose curves show (null: the active or newest run). */
    curveRunId: null as number | null,
    history: null as RunHistory | null,
    /** The advanced panels' fields (derived from SDE_SETTINGS / SEG_SETTINGS_IN_APP; numbers as typed). */
    sdeForm: null as SettingsForm | null,
    segForm: null as SettingsForm | null,
    /** The forms keep what the user typed; otherwise they follow the defaults. */
    sdeEdited: false,
    segEdited: false,
    starting: false,
    error: null as string | null,
  }),
  getters: {
    /** The job that has not ended (any project's). */
    job(state): TrainingJobInfo | null {
      return state.status.job;
    },
    /** The job shown in the progress card: the running one of this project, else the last one that ended. */
    shownJob(state): TrainingJobInfo | null {
      const j = state.status.job;
      if (j && j.projectDir === state.projectDir) return j;
      return state.status.last;
    },
    busy(state): boolean {
      return state.status.job !== null;
    },
    shownRunId(state): number | null {
      if (state.curveRunId !== null) return state.curveRunId;
      const j = state.status.job;
      if (j && j.projectDir === state.projectDir && j.runId !== null) return j.runId;
      const trained = state.runs.filter((r) => r.kind === 'sde' || r.kind === 'seg');
      return trained.length ? trained[trained.length - 1]!.id : null;
    },
    sdeRuns(state): TrainingRunInfo[] {
      return state.runs.filter((r) => r.kind === 'sde' && r.status === 'done');
    },
    /** Each field's problem, in words, and which fields to fix before a start. */
    sdeCheck(state): FormCheck {
      return state.sdeForm ? checkForm(SDE_SETTINGS, state.sdeForm) : { problems: {}, invalid: [] };
    },
    segCheck(state): FormCheck {
      return state.segForm ? checkForm(SEG_SETTINGS_IN_APP, state.segForm) : { problems: {}, invalid: [] };
    },
  },
  actions: {
    /** Entering a view that shows jobs: subscribe to progress events once, load everything. */
    async open(projectDir: string): Promise<void> {
      if (this.projectDir !== projectDir) {
        Object.assign(this, { projectDir, curveRunId: null, history: null, runs: [], defaults: null, sdeEdited: false, segEdited: false });
      }
      this.listen();
      await Promise.all([this.refresh(), this.loadRuns(), this.loadDefaults()]);
      await this.loadHistory();
    },
    listen(): void {
      if (unsubscribe) return;
      unsubscribe = api().on('training.progress', (j) => this.onJob(j));
    },
    onEnd(listener: (job: TrainingJobInfo) => void): () => void {
      endListeners.add(listener);
      return () => endListeners.delete(listener);
    },
    /** A job's new state, from an event or a poll. */
    onJob(j: TrainingJobInfo): void {
      const wasRunning = this.status.job?.jobId === j.jobId;
      if (jobEnded(j)) {
        if (!wasRunning && this.status.last?.jobId === j.jobId) return;
        this.status = { job: this.status.job?.jobId === j.jobId ? null : this.status.job, last: j.projectDir === this.projectDir ? j : this.status.last };
        this.stopPolling();
        void this.afterEnd(j);
        return;
      }
      const newRun = j.runId !== null && this.status.job?.runId !== j.runId;
      this.status = { ...this.status, job: j };
      this.startPolling();
      this.reloadLive(newRun);
    },
    /** While a job trains: the run list (at once when its run appears) and the shown curves, every LIVE_MS. */
    reloadLive(now = false): void {
      const j = this.status.job;
      if (!j || j.runId === null || j.projectDir !== this.projectDir) return;
      if (!now && performance.now() - liveLoadedAt < LIVE_MS) return;
      liveLoadedAt = performance.now();
      void this.loadRuns();
      if (j.runId === this.shownRunId) void this.loadHistory();
    },
    async afterEnd(j: TrainingJobInfo): Promise<void> {
      for (const l of endListeners) l(j);
      await Promise.all([this.loadRuns(), this.loadDefaults()]);
      await this.loadHistory();
    },
    async refresh(): Promise<void> {
      try {
        const s = await call('trainingStatus', {});
        const endedNow = this.status.job && !s.job && s.last?.jobId === this.status.job.jobId;
        const newRun = s.job !== null && s.job.runId !== null && this.status.job?.runId !== s.job.runId;
        this.status = s;
        this.reloadLive(newRun);
        if (s.job) this.startPolling();
        else this.stopPolling();
        if (endedNow) void this.afterEnd(s.last!);
      } catch (e) {
        this.error = message(e);
        // The project was closed in another window: nothing to follow until it is reopened.
        if (isProjectClosed(e)) this.stopPolling();
      }
    },
    startPolling(): void {
      if (pollTimer) return;
      pollTimer = setInterval(() => void this.refresh(), POLL_MS);
    },
    stopPolling(): void {
      if (pollTimer) clearInterval(pollTimer);
      pollTimer = null;
    },
    async loadRuns(): Promise<void> {
      try {
        this.runs = await call('trainingRuns', {});
      } catch (e) {
        this.error = message(e);
      }
    },
    async loadDefaults(): Promise<void> {
      try {
        const d = await call('trainingDefaults', {});
        this.defaults = d;
        if (!this.sdeEdited || !this.sdeForm) this.sdeForm = formFrom(SDE_SETTINGS, d.sde);
        if (!this.segEdited || !this.segForm) this.segForm = segFormFrom(d);
      } catch (e) {
        this.error = message(e);
      }
    },
    /** The project setting "train only approved masks"; the Retrain line's count follows it. */
    async setApprovedOnly(on: boolean): Promise<void> {
      try {
        await call('projectSettingsSet', { trainApprovedOnly: on });
        await this.loadDefaults();
      } catch (e) {
        this.error = message(e);
      }
    },
    resetForms(): void {
      if (!this.defaults) return;
      this.sdeForm = formFrom(SDE_SETTINGS, this.defaults.sde);
      this.segForm = segFormFrom(this.defaults);
      this.sdeEdited = false;
      this.segEdited = false;
    },
    async loadHistory(): Promise<void> {
      const id = this.shownRunId;
      if (id === null) {
        this.history = null;
        return;
      }
      try {
        this.history = await call('trainingHistory', { runId: id, maxPoints: 400 });
      } catch (e) {
        this.error = message(e);
      }
    },
    async showCurves(runId: number | null): Promise<void> {
      this.curveRunId = runId;
      await this.loadHistory();
    },
    async launch(f: () => Promise<TrainingJobInfo>): Promise<void> {
      this.starting = true;
      this.error = null;
      try {
        const j = await f();
        this.status = { ...this.status, job: j };
        this.curveRunId = null;
        this.startPolling();
        void this.loadRuns();
      } catch (e) {
        this.error = message(e);
      } finally {
        this.starting = false;
      }
    },
    /** A new SDE run with the form's settings; nothing is sent while a field is invalid. */
    async startSde(): Promise<void> {
      if (this.sdeCheck.invalid.length) return;
      const settings = (this.sdeForm ? formSettings(SDE_SETTINGS, this.sdeForm) : {}) as SdeSettingsInput;
      return this.launch(() => call('trainingStartSde', { settings }));
    },
    /** "Retrain": a new run with the form's settings (the defaults unless changed in the advanced panel). */
    async startSeg(): Promise<void> {
      if (this.segCheck.invalid.length) return;
      const settings = (this.segForm ? formSettings(SEG_SETTINGS_IN_APP, this.segForm) : {}) as SegSettingsInput;
      return this.launch(() => call('trainingStartSeg', { settings }));
    },
    /** Continues a paused run where it stopped, with the settings it stored. */
    resume(runId: number): Promise<void> {
      return this.launch(() => call('trainingResume', { runId }));
    },
    suggest(params: ProjectParams<'selectionSuggest'>): Promise<void> {
      return this.launch(() => call('selectionSuggest', params));
    },
    async cancel(): Promise<void> {
      try {
        await call('trainingCancel', {});
        await this.refresh();
      } catch (e) {
        this.error = message(e);
      }
    },
  },
});
