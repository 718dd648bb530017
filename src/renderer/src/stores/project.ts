import { defineStore } from 'pinia';
import type {
  ApiMethod,
  ApiParams,
  ApiResults,
  FrameEntry,
  MaskStatusName,
  MenuCommand,
  ProjectInfo,
  ProjectOverviewInfo,
  RecentProject,
} from '../../../core/api/contract';
import { api } from '../api/bridge';
import { errorText, isProjectClosed, projectClosedError } from '../api/errors';

export type ViewName = 'start' | 'overview' | 'queue' | 'annotate' | 'review' | 'training';

const VIEW_KEY = 'depthseg.view';

/** The methods that work on the open project: their params name it by projectId. */
export type ProjectMethod = { [M in ApiMethod]: ApiParams<M> extends { projectId: number } ? M : never }[ApiMethod];
/** A project method's params without the projectId (the store adds the window's). */
export type ProjectParams<M extends ProjectMethod> = Omit<ApiParams<M>, 'projectId'>;

/** What the window remembers across a reload (sessionStorage: per tab). */
interface SavedView {
  view: ViewName;
  frameId: number | null;
  dir: string | null;
  name?: string | null;
  /** The window showed "closed in another window": a reload must not reopen it by itself. */
  closed?: boolean;
}

/** Told after this window reopened its project (edits kept in memory are saved then). */
const reopenListeners = new Set<() => void>();
let unsubscribeClosed: (() => void) | null = null;

/**
 * The open project, the view shown, the labelling queue.
 *
 * Every call on project data goes through `call`, which adds this window's projectId. When the
 * core says the project was closed (the 'project.closed' event, or a call refused with
 * ProjectClosedError: another window opened another project, or closed this one) the window
 * marks itself `closed`: it keeps what it shows, shows a banner with "Reopen", and never loads
 * anything of another project.
 */
export const useProjectStore = defineStore('project', {
  state: () => ({
    view: 'start' as ViewName,
    project: null as ProjectInfo | null,
    overview: null as ProjectOverviewInfo | null,
    recent: [] as RecentProject[],
    queue: [] as FrameEntry[],
    filter: '' as MaskStatusName | '',
    frameId: null as number | null,
    busy: '' as string,
    error: null as string | null,
    /** This window's project was closed elsewhere (its folder and name): the window offers to reopen it. */
    closed: null as { dir: string; name: string } | null,
    /** Why reopening failed, in words. */
    reopenError: null as string | null,
    /** Bumped when the shown view must load everything again (after reopening). */
    generation: 0,
    /** A folder the desktop menu's New Project… chose, for the start view's form. */
    newProjectDir: '' as string,
  }),
  getters: {
    /** The next frame in the queue after the current one that is not done or skipped. */
    nextFrameId(state): number | null {
      const i = state.queue.findIndex((e) => e.frameId === state.frameId);
      const after = [...state.queue.slice(i + 1), ...state.queue.slice(0, Math.max(i, 0))];
      return after.find((e) => e.status === 'todo' || e.status === 'in_progress')?.frameId ?? null;
    },
    labelSet(state): ProjectInfo['labelSet'] | null {
      return state.project?.labelSet ?? null;
    },
  },
  actions: {
    /**
     * A call on this window's project: its projectId is added. A refusal because the project
     * was closed elsewhere marks the window closed (and is rethrown, so the caller stops).
     */
    async call<M extends ProjectMethod>(method: M, params: ProjectParams<M>): Promise<ApiResults[M]> {
      const p = this.project;
      if (!p) throw projectClosedError('no project is open in this window: open one first');
      try {
        return await api().call(method, { ...params, projectId: p.projectId } as unknown as ApiParams<M>);
      } catch (e) {
        if (isProjectClosed(e)) this.markClosed(p.projectId);
        throw e;
      }
    },
    /** Subscribes once to the core's 'project.closed' event. */
    listen(): void {
      if (unsubscribeClosed) return;
      unsubscribeClosed = api().on('project.closed', (e) => this.markClosed(e.projectId));
    },
    /** The project with this id was closed: if it is this window's, say so (once). */
    markClosed(projectId: number): void {
      const p = this.project;
      if (!p || p.projectId !== projectId || this.closed) return;
      this.closed = { dir: p.dir, name: p.name };
      this.reopenError = null;
      this.remember();
    },
    /** Reopens this window's project (by folder), then reloads the shown view with the new id. */
    async reopen(): Promise<void> {
      const c = this.closed;
      if (!c) return;
      this.busy = 'Reopening…';
      this.reopenError = null;
      try {
        const p = await api().call('projectOpen', { dir: c.dir });
        this.project = p;
        this.closed = null;
        this.generation++;
        this.remember();
        if (this.view === 'start') this.view = 'overview';
        this.reloadView();
        for (const l of reopenListeners) l();
      } catch (e) {
        this.reopenError = errorText(e);
      } finally {
        this.busy = '';
      }
    },
    onReopen(listener: () => void): () => void {
      reopenListeners.add(listener);
      return () => reopenListeners.delete(listener);
    },
    remember(): void {
      const saved: SavedView = {
        view: this.view,
        frameId: this.frameId,
        dir: this.project?.dir ?? this.closed?.dir ?? null,
        name: this.project?.name ?? this.closed?.name ?? null,
        ...(this.closed ? { closed: true } : {}),
      };
      sessionStorage.setItem(VIEW_KEY, JSON.stringify(saved));
    },
    go(view: ViewName, frameId?: number): void {
      this.view = view;
      if (frameId !== undefined) this.frameId = frameId;
      this.error = null;
      this.remember();
      this.reloadView();
    },
    /** Loads what the store itself shows for the current view. */
    reloadView(): void {
      if (this.view === 'overview') void this.loadOverview();
      if (this.view === 'queue') void this.loadQueue();
      if (this.view === 'start') void this.loadRecent();
    },
    /**
     * After a reload: reopen the project and view the window showed before; a window that was
     * showing "closed in another window" shows that again (reopening is the user's choice:
     * it would close the project another window has open).
     */
    async restore(): Promise<void> {
      const saved = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? 'null') as SavedView | null;
      if (saved?.dir && saved.closed) {
        this.closed = { dir: saved.dir, name: saved.name ?? saved.dir };
        this.view = saved.view;
        this.frameId = saved.frameId;
        return;
      }
      if (saved?.dir) {
        try {
          this.project = await api().call('projectOpen', { dir: saved.dir });
          await this.loadQueue();
          this.go(saved.view, saved.frameId ?? undefined);
          return;
        } catch (e) {
          this.error = errorText(e);
        }
      }
      this.go('start');
    },
    async run<T>(label: string, f: () => Promise<T>): Promise<T | undefined> {
      this.busy = label;
      this.error = null;
      try {
        return await f();
      } catch (e) {
        // The closed banner says it; the same words again below it would only repeat it.
        if (!(isProjectClosed(e) && this.closed)) this.error = errorText(e);
        return undefined;
      } finally {
        this.busy = '';
      }
    },
    async loadRecent(): Promise<void> {
      const r = await this.run('', () => api().call('projectRecent', {}));
      if (r) this.recent = r;
    },
    /** Creates a project; on failure the core's message is returned (and shown), else null. */
    async create(params: ApiParams<'projectCreate'>): Promise<string | null> {
      return this.switchBy(params.synthetic ? 'Generating synthetic street data…' : 'Indexing the dataset…', () => api().call('projectCreate', params));
    },
    /** Opens a project folder; on failure the core's message is returned (the caller shows it), else null. */
    async open(dir: string): Promise<string | null> {
      return this.switchBy('Opening…', () => api().call('projectOpen', { dir }));
    },
    /** Switches this window to the project `call` gives (creating or opening one); the core's message on failure, else null. */
    async switchBy(busy: string, call: () => Promise<ProjectInfo>): Promise<string | null> {
      const before = this.project;
      this.busy = busy;
      this.error = null;
      try {
        this.switchTo(await this.leaving(before, call));
        return null;
      } catch (e) {
        return errorText(e);
      } finally {
        this.busy = '';
      }
    },
    /**
     * Runs a call that may close this window's own project (opening or creating another): the
     * 'project.closed' event it causes is this window's doing, not another window's.
     */
    async leaving<T>(before: ProjectInfo | null, f: () => Promise<T>): Promise<T> {
      if (before) this.project = null;
      try {
        return await f();
      } catch (e) {
        if (before && !this.project) this.project = before;
        throw e;
      }
    },
    switchTo(p: ProjectInfo): void {
      this.project = p;
      this.closed = null;
      this.reopenError = null;
      this.overview = null;
      this.queue = [];
      this.frameId = null;
      this.generation++;
      this.go('overview');
    },
    /** A command from the desktop app's File menu: the same actions as the start view's buttons. */
    async menuCommand(c: MenuCommand): Promise<void> {
      if (c.command === 'project.open') {
        // Not from a field of the start view: the core's answer goes where the window shows errors.
        const failed = await this.open(c.dir);
        if (failed) this.error = failed;
      }
      else if (c.command === 'project.close') {
        if (this.project) await this.close();
      } else {
        this.newProjectDir = c.dir;
        this.go('start');
      }
    },
    async close(): Promise<void> {
      const p = this.project;
      this.project = null;
      this.closed = null;
      this.overview = null;
      this.queue = [];
      this.frameId = null;
      if (p) await this.run('', () => api().call('projectClose', { projectId: p.projectId }));
      this.go('start');
    },
    /** Leaves a closed project without reopening it: back to the start screen. */
    dismissClosed(): void {
      this.closed = null;
      this.project = null;
      this.overview = null;
      this.queue = [];
      this.frameId = null;
      this.go('start');
    },
    async loadOverview(): Promise<void> {
      const o = await this.run('', () => this.call('projectOverview', {}));
      if (o) this.overview = o;
    },
    async loadQueue(): Promise<void> {
      const q = await this.run('', () => this.call('frameList', {}));
      if (q) this.queue = q;
    },
    /**
     * Team queue: leases the next frame nobody else holds and opens it in the annotator; false
     * (with the queue shown and a note saying why) when none is left or the call failed.
     */
    async takeNext(): Promise<boolean> {
      const r = await this.run('', () => this.call('frameNext', {}));
      if (r && r.frameId !== null) {
        this.go('annotate', r.frameId);
        return true;
      }
      const why = r ? 'Nothing left to label: every queued frame is done, skipped or held by someone else.' : this.error;
      if (this.view !== 'queue') this.go('queue');
      this.error = why;
      return false;
    },
    /** A reviewer's verdict on a submitted mask; the queue reloads to show it. */
    async review(frameId: number, verdict: 'approve' | 'send_back', comment?: string): Promise<boolean> {
      const r = await this.run('', () => this.call('maskReview', { frameId, verdict, ...(comment ? { comment } : {}) }));
      if (r) await this.loadQueue();
      return !!r;
    },
    /** Updates one queue entry's status after a save or a mark. */
    setStatus(frameId: number, status: MaskStatusName): void {
      const i = this.queue.findIndex((e) => e.frameId === frameId);
      if (i >= 0) this.queue[i] = { ...this.queue[i]!, status };
    },
  },
});
