import { resolve } from 'node:path';
import { UsageError } from '../errors';
import { DB_FILE, mainProject, openProjectStore, POSTGRES_POINTER_FILE, projectEngine, type Project, type ProjectStore } from '../store';

/** An open project folder: its store and its project row. */
export interface OpenProject {
  readonly store: ProjectStore;
  readonly project: Project;
  close(): Promise<void>;
}

/**
 * Opens an existing project folder, whichever engine holds its rows (SQLite in the folder, or
 * the PostgreSQL database its pointer file names); a clear error where there is none.
 */
export async function openProject(dir: string): Promise<OpenProject> {
  const root = resolve(dir);
  if (projectEngine(root) === undefined) {
    throw new UsageError(`${root} is not a DepthSeg project (no ${DB_FILE} or ${POSTGRES_POINTER_FILE}); create one with depthseg init`);
  }
  const store = await openProjectStore(root, { create: false });
  try {
    const project = await mainProject(store);
    if (!project) throw new UsageError(`${root}: the project database holds no project; create one with depthseg init`);
    return { store, project, close: () => store.close() };
  } catch (e) {
    await store.close();
    throw e;
  }
}
