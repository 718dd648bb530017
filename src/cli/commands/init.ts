import { resolve } from 'node:path';
import type { DatasetFormat } from '../../core/data';
import { UsageError } from '../../core/errors';
import { initProject } from '../../core/project/initProject';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';

const FORMATS: readonly DatasetFormat[] = ['cityscapes', 'camvid', 'frames'];

export const initCommand: CliCommand = {
  name: 'init',
  usage: `depthseg init --project DIR --dataset DIR [--db postgres://...] [--format cityscapes|camvid|frames] [--fov DEG] [--name NAME] [--json]

  --project DIR    the project folder (created; holds project.sqlite, masks/, checkpoints/)
  --db URL         keep the project's rows in this PostgreSQL database (empty, made with createdb)
                   instead of project.sqlite, for a team; the folder keeps masks/, checkpoints/
                   and project.postgres.json, which names the database
  --dataset DIR    the dataset folder; it stays where it is, the project records paths into it
  --format F       detected from the folder's layout when omitted
  --fov DEG        plain frames without camera.json: horizontal field of view in degrees
  --name NAME      project name (default: the folder's name)`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      project: 'string',
      dataset: 'string',
      format: 'string',
      fov: 'number',
      name: 'string',
      db: 'string',
      json: 'boolean',
    });
    if (!flags.project) throw new UsageError('init needs --project DIR');
    if (!flags.dataset) throw new UsageError('init needs --dataset DIR');
    if (flags.format && !FORMATS.includes(flags.format as DatasetFormat)) {
      throw new UsageError(`--format must be one of ${FORMATS.join(', ')} (got '${flags.format}')`);
    }
    if (flags.fov !== undefined && !(flags.fov > 1 && flags.fov < 179)) {
      throw new UsageError(`--fov must be between 1 and 179 degrees (got ${flags.fov})`);
    }
    const { open, summary } = await initProject({
      dir: resolve(flags.project),
      dataset: resolve(flags.dataset),
      ...(flags.format ? { format: flags.format as DatasetFormat } : {}),
      ...(flags.fov ? { horizontalFovDegrees: flags.fov } : {}),
      ...(flags.name ? { name: flags.name } : {}),
      ...(flags.db ? { db: flags.db } : {}),
    });
    await open.close();
    printResult(
      flags.json === true,
      summary,
      `project ${summary.projectDir}: added ${summary.format} dataset with ${summary.clips} clips, ${summary.frames} frames, ` +
        `${summary.keyframes} frames to label (${summary.withGroundTruth} with the dataset's own labels)`,
    );
    return 0;
  },
};
