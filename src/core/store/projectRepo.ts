import type { ProjectStore } from './projectStore';
import { all, one, parseJsonObject, requireRow, run, toJson, type JsonObject } from './sql';

export interface Project {
  id: number;
  name: string;
  createdAt: string;
  settings: JsonObject;
}

interface ProjectSql {
  id: number;
  name: string;
  created_at: string;
  settings_json: string;
}

function project(store: ProjectStore, r: ProjectSql): Project {
  return { id: r.id, name: r.name, createdAt: r.created_at, settings: parseJsonObject(store, r.settings_json, `projects row ${r.id} settings_json`) };
}

export function createProject(store: ProjectStore, p: { name: string; settings?: JsonObject }): Project {
  const res = run(store, 'INSERT INTO projects (name, created_at, settings_json) VALUES (?, ?, ?)', p.name, store.now(), toJson(p.settings));
  return getProject(store, Number(res.lastInsertRowid));
}

export function getProject(store: ProjectStore, id: number): Project {
  return project(store, requireRow(store, one<ProjectSql>(store, 'SELECT * FROM projects WHERE id = ?', id), `project with id ${id}`));
}

export function listProjects(store: ProjectStore): Project[] {
  return all<ProjectSql>(store, 'SELECT * FROM projects ORDER BY id').map((r) => project(store, r));
}

/** The folder's project: the first one created (a project folder normally holds exactly one). */
export function mainProject(store: ProjectStore): Project | undefined {
  const r = one<ProjectSql>(store, 'SELECT * FROM projects ORDER BY id LIMIT 1');
  return r && project(store, r);
}

/** Replaces the project's settings. */
export function setProjectSettings(store: ProjectStore, id: number, settings: JsonObject): void {
  const res = run(store, 'UPDATE projects SET settings_json = ? WHERE id = ?', toJson(settings), id);
  if (res.changes === 0) requireRow(store, undefined, `project with id ${id}`);
}

export function renameProject(store: ProjectStore, id: number, name: string): void {
  const res = run(store, 'UPDATE projects SET name = ? WHERE id = ?', name, id);
  if (res.changes === 0) requireRow(store, undefined, `project with id ${id}`);
}
