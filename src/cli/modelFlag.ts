import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine } from '../core/engine/backend';
import { UsageError } from '../core/errors';
import { loadModelFromFolder } from '../core/ml/nets';
import { engineOptions } from './engineFlags';

/** Starts the engine and loads a model folder (model.json + weights.bin) given by --model. */
export async function loadModelFlag(
  dir: string | undefined,
  flags: { backend?: string; threads?: number },
  setting?: unknown,
): Promise<LayersModel> {
  if (!dir) throw new UsageError('needs --model DIR (a folder with model.json and weights.bin, e.g. from a training run)');
  const folder = resolve(dir);
  if (!existsSync(join(folder, 'model.json'))) throw new UsageError(`${folder}: no model.json here`);
  await initEngine(engineOptions(flags, setting));
  return loadModelFromFolder(folder);
}
