/**
 * The service as a team server offers it: one project, opened when the server starts, for
 * everyone. Opening that project again hands out its id; opening another, creating one or
 * closing it is answered in words and changes nothing, so no browser's action closes the
 * project for the others (the desktop app's one-window rule does not apply here).
 */
import { resolve } from 'node:path';
import { UsageError } from '../errors';
import type { DepthsegApi, ProjectInfo } from './contract';

export function teamService<S extends DepthsegApi>(service: S, project: ProjectInfo): S {
  const dir = resolve(project.dir);
  return {
    ...service,
    async projectOpen(p) {
      if (resolve(p.dir) !== dir) {
        throw new UsageError(`this team server serves only the project ${project.name} (${dir}); another project needs a team server of its own`);
      }
      return await service.projectOpen(p);
    },
    async projectCreate() {
      throw new UsageError(`this team server serves only the project ${project.name}: create projects with depthseg init on the server`);
    },
    async projectRecent() {
      return [{ dir, name: project.name, openedAt: new Date().toISOString(), exists: true }];
    },
    async projectClose() {
      // The team's project stays open for everyone: a browser leaving it closes nothing.
      return { closed: false };
    },
  };
}
