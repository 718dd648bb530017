import { labelSetFromStored, toStored, type LabelSet } from '../labels';
import type { ProjectStore } from './projectStore';
import { all, insertReturningId, one, parseJsonObject, requireRow, run, toJson, type JsonObject } from './sql';
import { ProjectStoreError } from './storeErrors';

export interface Project {
  id: number;
  name: string;
  createdAt: string;
  settings: JsonObject;
  /** The classes its masks, models and exports speak of (fixed when the project is created). */
  labelSet: LabelSet;
}

interface ProjectSql {
  id: number;
  name: string;
  created_at: string;
  settings_json: string;
  label_set_json: string | null;
}

function labelSetOf(store: ProjectStore, r: ProjectSql): LabelSet {
  const where = `projects row ${r.id} label_set_json`;
  try {
    return labelSetFromStored(JSON.parse(r.label_set_json ?? 'null'));
  } catch (e) {
    throw new ProjectStoreError(store.dbPath, 'corrupt', `${where} is not a label set (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`);
  }
}

function project(store: ProjectStore, r: ProjectSql): Project {
  return {
    id: r.id,
    name: r.name,
    createdAt: r.created_at,
    settings: parseJsonObject(store, r.settings_json, `projects row ${r.id} settings_json`),
    labelSet: labelSetOf(store, r),
  };
}

export async function createProject(store: ProjectStore, p: { name: string; labelSet: LabelSet; settings?: JsonObject }): Promise<Project> {
  const id = await insertReturningId(
    store,
    'INSERT INTO projects (name, created_at, settings_json, label_set_json) VALUES (?, ?, ?, ?) RETURNING id',
    p.name,
    store.now(),
    toJson(p.settings),
    JSON.stringify(toStored(p.labelSet)),
  );
  return await getProject(store, id);
}

export async function getProject(store: ProjectStore, id: number): Promise<Project> {
  return project(store, requireRow(store, await one<ProjectSql>(store, 'SELECT * FROM projects WHERE id = ?', id), `project with id ${id}`));
}

export async function listProjects(store: ProjectStore): Promise<Project[]> {
  return (await all<ProjectSql>(store, 'SELECT * FROM projects ORDER BY id')).map((r) => project(store, r));
}

/** The folder's project: the first one created (a project folder normally holds exactly one). */
export async function mainProject(store: ProjectStore): Promise<Project | undefined> {
  const r = await one<ProjectSql>(store, 'SELECT * FROM projects ORDER BY id LIMIT 1');
  return r && project(store, r);
}

/** Replaces the project's settings. */
export async function setProjectSettings(store: ProjectStore, id: number, settings: JsonObject): Promise<void> {
  const res = await run(store, 'UPDATE projects SET settings_json = ? WHERE id = ?', toJson(settings), id);
  if (res.changes === 0) requireRow(store, undefined, `project with id ${id}`);
}

export async function renameProject(store: ProjectStore, id: number, name: string): Promise<void> {
  const res = await run(store, 'UPDATE projects SET name = ? WHERE id = ?', name, id);
  if (res.changes === 0) requireRow(store, undefined, `project with id ${id}`);
}

/** The project a frame belongs to (through its clip and dataset). */
export async function projectOfFrame(store: ProjectStore, frameId: number): Promise<Project> {
  const r = await one<ProjectSql>(
    store,
    'SELECT p.* FROM frames f JOIN clips c ON c.id = f.clip_id JOIN datasets d ON d.id = c.dataset_id JOIN projects p ON p.id = d.project_id WHERE f.id = ?',
    frameId,
  );
  return project(store, requireRow(store, r, `frame with id ${frameId}`));
}
