import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors';
import { DB_FILE, mainProject, openProjectStore, type Project, type ProjectStore } from '../store';

/** An open project folder: its store and its project row. */
export interface OpenProject {
  readonly store: ProjectStore;
  readonly project: Project;
  close(): void;
}

/** Opens an existing project folder; a clear error where there is none. */
export function openProject(dir: string): OpenProject {
  const root = resolve(dir);
  if (!existsSync(join(root, DB_FILE))) {
    throw new UsageError(`${root} is not a DepthSeg project (no ${DB_FILE}); create one with depthseg init`);
  }
  const store = openProjectStore(root, { create: false });
  const project = mainProject(store);
  if (!project) {
    store.close();
    throw new UsageError(`${root}: the project database holds no project; create one with depthseg init`);
  }
  return { store, project, close: () => store.close() };
}
