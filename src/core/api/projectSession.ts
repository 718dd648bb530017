/**
 * The project the service has open (one at a time, shared by every window of the process), and
 * creating/opening one. Each opening gets an id that the window's later calls name: a call
 * whose id is not the open project's is refused (ProjectClosedError), so a window whose project
 * another window closed or replaced can never read or write the other project.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ProjectClosedError, UsageError } from '../errors';
import { initProject } from '../project/initProject';
import { openProject, type OpenProject } from '../project/openProject';
import { getRun, listDatasets, projectEngine, type Dataset, type TrainingRun } from '../store';
import { generateSynthDataset } from '../synth';
import type { ApiParams, ProjectInfo } from './contract';

export class ProjectSession {
  private current: OpenProject | null = null;
  private currentId = 0;
  private lastId = 0;

  /** @param onClosed told when a project closes (closed, or replaced by another): windows showing it must notice. */
  constructor(private readonly onClosed: (projectId: number, dir: string) => void = () => undefined) {}

  /** The open project; a clear error when none is. */
  get open(): OpenProject {
    if (!this.current) throw new UsageError('no project is open: create or open one first');
    return this.current;
  }

  /** The open project if it is the one `projectId` names; ProjectClosedError otherwise. */
  require(projectId: number): OpenProject {
    if (!this.current || projectId !== this.currentId) throw new ProjectClosedError(projectId);
    return this.current;
  }

  get info(): ProjectInfo {
    const o = this.open;
    return { projectId: this.currentId, dir: o.store.dir, name: o.project.name, labelSet: o.project.labelSet };
  }


  async create(p: ApiParams<'projectCreate'>): Promise<ProjectInfo> {
    const dir = resolve(p.dir);
    if (projectEngine(dir) !== undefined) {
      throw new UsageError(`${dir} already holds a project: open it instead`);
    }
    let dataset: string;
    if (p.synthetic) {
      dataset = join(dir, 'data');
      const s = p.synthetic;
      await generateSynthDataset({ out: dataset, sequences: s.sequences, size: { height: s.height, width: s.width }, seed: s.seed });
    } else {
      dataset = resolve(p.dataset!);
    }
    const { open } = await initProject({
      dir,
      dataset,
      ...(p.synthetic ? { format: 'cityscapes' as const } : p.format ? { format: p.format } : {}),
      ...(p.name ? { name: p.name } : {}),
      ...(p.classes ? { classes: p.classes } : {}),
    });
    await this.close();
    this.current = open;
    this.currentId = ++this.lastId;
    return this.info;
  }

  /** Opens `dir` (the open project itself where it is already open: every window keeps its id). */
  async openDir(dir: string): Promise<ProjectInfo> {
    const path = resolve(dir);
    if (this.current && resolve(this.current.store.dir) === path) return this.info;
    if (!existsSync(path)) throw new UsageError(`the folder ${path} does not exist: check the path, or create a new project there`);
    if (projectEngine(path) === undefined) {
      throw new UsageError(`${path} is not a DepthSeg project (it has no project.sqlite): choose the project's folder, or create a new project there`);
    }
    const next = await openProject(path);
    await this.close();
    this.current = next;
    this.currentId = ++this.lastId;
    return this.info;
  }

  /** Closes the open project (only if it is `projectId`, where given); says whether it closed one. */
  async close(projectId?: number): Promise<boolean> {
    if (!this.current || (projectId !== undefined && projectId !== this.currentId)) return false;
    // Forget it first, so no call made while it closes reaches a closing store.
    const closing = this.current;
    const id = this.currentId;
    this.current = null;
    this.currentId = 0;
    await closing.close();
    this.onClosed(id, closing.store.dir);
    return true;
  }
}

/** A training run of the open project; a UsageError where there is none or it belongs to another project. */
export async function projectRun(open: OpenProject, runId: number): Promise<TrainingRun> {
  const { store, project } = open;
  let run: TrainingRun;
  try {
    run = await getRun(store, runId);
  } catch {
    throw new UsageError(`there is no training run ${runId} in this project`);
  }
  if (run.projectId !== project.id) throw new UsageError(`training run ${runId} belongs to another project`);
  return run;
}

export async function projectDatasets(open: OpenProject): Promise<Dataset[]> {
  return await listDatasets(open.store, open.project.id);
}

/** Folders the UI may read files from: the project folder and its datasets' roots. */
export async function allowedRoots(open: OpenProject): Promise<string[]> {
  return [open.store.dir, ...(await projectDatasets(open)).map((d) => d.rootPath)];
}
