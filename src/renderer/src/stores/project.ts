import { defineStore } from 'pinia';
import type {
  ApiParams,
  FrameEntry,
  MaskStatusName,
  MenuCommand,
  ProjectInfo,
  ProjectOverviewInfo,
  RecentProject,
} from '../../../core/api/contract';
import { api } from '../api/bridge';

export type ViewName = 'start' | 'overview' | 'queue' | 'annotate' | 'review' | 'training';

const VIEW_KEY = 'depthseg.view';

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The open project, the view shown, the labelling queue. */
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
  },
  actions: {
    go(view: ViewName, frameId?: number): void {
      this.view = view;
      if (frameId !== undefined) this.frameId = frameId;
      this.error = null;
      sessionStorage.setItem(VIEW_KEY, JSON.stringify({ view, frameId: this.frameId, dir: this.project?.dir ?? null }));
      if (view === 'overview') void this.loadOverview();
      if (view === 'queue') void this.loadQueue();
      if (view === 'start') void this.loadRecent();
    },
    /** After a reload: reopen the project and view the window showed before. */
    async restore(): Promise<void> {
      const saved = JSON.parse(sessionStorage.getItem(VIEW_KEY) ?? 'null') as { view: ViewName; frameId: number | null; dir: string | null } | null;
      if (saved?.dir) {
        try {
          this.project = await api().call('projectOpen', { dir: saved.dir });
          await this.loadQueue();
          this.go(saved.view, saved.frameId ?? undefined);
          return;
        } catch (e) {
          this.error = message(e);
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
        this.error = message(e);
        return undefined;
      } finally {
        this.busy = '';
      }
    },
    async loadRecent(): Promise<void> {
      const r = await this.run('', () => api().call('projectRecent', {}));
      if (r) this.recent = r;
    },
    async create(params: ApiParams<'projectCreate'>): Promise<void> {
      const p = await this.run(params.synthetic ? 'Generating synthetic street data…' : 'Indexing the dataset…', () =>
        api().call('projectCreate', params),
      );
      if (p) {
        this.project = p;
        this.go('overview');
      }
    },
    async open(dir: string): Promise<void> {
      const p = await this.run('Opening…', () => api().call('projectOpen', { dir }));
      if (p) {
        this.project = p;
        this.go('overview');
      }
    },
    /** A command from the desktop app's File menu: the same actions as the start view's buttons. */
    async menuCommand(c: MenuCommand): Promise<void> {
      if (c.command === 'project.open') await this.open(c.dir);
      else if (c.command === 'project.close') {
        if (this.project) await this.close();
      } else {
        this.newProjectDir = c.dir;
        this.go('start');
      }
    },
    async close(): Promise<void> {
      await this.run('', () => api().call('projectClose', {}));
      this.project = null;
      this.overview = null;
      this.queue = [];
      this.go('start');
    },
    async loadOverview(): Promise<void> {
      const o = await this.run('', () => api().call('projectOverview', {}));
      if (o) this.overview = o;
    },
    async loadQueue(): Promise<void> {
      const q = await this.run('', () => api().call('frameList', {}));
      if (q) this.queue = q;
    },
    /** Updates one queue entry's status after a save or a mark. */
    setStatus(frameId: number, status: MaskStatusName): void {
      const i = this.queue.findIndex((e) => e.frameId === frameId);
      if (i >= 0) this.queue[i] = { ...this.queue[i]!, status };
    },
  },
});
