/** The project the service has open (one at a time), and creating/opening one. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { UsageError } from '../errors';
import { initProject } from '../project/initProject';
import { openProject, type OpenProject } from '../project/openProject';
import { getRun, listDatasets, type Dataset, type TrainingRun } from '../store';
import { generateSynthDataset } from '../synth';
import type { ApiParams, ProjectInfo } from './contract';

export class ProjectSession {
  private current: OpenProject | null = null;

  /** The open project; a clear error when none is. */
  get open(): OpenProject {
    if (!this.current) throw new UsageError('no project is open: create or open one first');
    return this.current;
  }

  get info(): ProjectInfo {
    const o = this.open;
    return { dir: o.store.dir, name: o.project.name };
  }

  datasets(): Dataset[] {
    return listDatasets(this.open.store, this.open.project.id);
  }

  /** Folders the UI may read files from: the project folder and its datasets' roots. */
  allowedRoots(): string[] {
    return [this.open.store.dir, ...this.datasets().map((d) => d.rootPath)];
  }

  async create(p: ApiParams<'projectCreate'>): Promise<ProjectInfo> {
    const dir = resolve(p.dir);
    if (existsSync(join(dir, 'project.sqlite'))) {
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
    this.close();
    const { open } = await initProject({
      dir,
      dataset,
      ...(p.synthetic ? { format: 'cityscapes' as const } : p.format ? { format: p.format } : {}),
      ...(p.name ? { name: p.name } : {}),
    });
    this.current = open;
    return this.info;
  }

  openDir(dir: string): ProjectInfo {
    const next = openProject(resolve(dir));
    this.close();
    this.current = next;
    return this.info;
  }

  close(): boolean {
    if (!this.current) return false;
    this.current.close();
    this.current = null;
    return true;
  }
}

/** A training run of the session's project; a UsageError where there is none or it belongs to another project. */
export function projectRun(session: ProjectSession, runId: number): TrainingRun {
  const { store, project } = session.open;
  let run: TrainingRun;
  try {
    run = getRun(store, runId);
  } catch {
    throw new UsageError(`there is no training run ${runId} in this project`);
  }
  if (run.projectId !== project.id) throw new UsageError(`training run ${runId} belongs to another project`);
  return run;
}
