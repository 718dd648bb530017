/**
 * A model whose weights are not numbers, as a damaged file or a run that diverged elsewhere
 * leaves one: an SDE checkpoint folder copied from a real one-step run, its depth network's
 * weights overwritten with NaN. Segmentation trained from it gets a NaN loss at its first step.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OpenProject } from '../../src/core/project/openProject';
import { trainSde } from '../../src/core/project/trainSde';
import { latestCheckpoint } from '../../src/core/store';

export async function nanSdeCheckpoint(p: OpenProject, into: string): Promise<string> {
  const sde = await trainSde(p, { net: 'tiny', height: 32, width: 64, batchSize: 1, steps: 1 });
  const from = join(p.store.dir, (await latestCheckpoint(p.store, sde.run.id))!.path);
  cpSync(from, into, { recursive: true });
  const weights = join(into, 'model', 'weights.bin');
  const n = readFileSync(weights).length / 4;
  writeFileSync(weights, Buffer.from(new Float32Array(n).fill(Number.NaN).buffer));
  return into;
}
