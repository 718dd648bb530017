/**
 * The trained models the UI looks at, loaded once per session: at most one model in memory
 * per training run (its newest checkpoint). A run that wrote a newer checkpoint since is
 * loaded again and its older model disposed; `clear()` (project closed or switched) disposes
 * all. Loads of the same run that overlap share one promise.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine, parseBackendChoice, type EngineOptions } from '../engine/backend';
import { DataError, NoCheckpointError } from '../errors';
import { loadModelFromFolder } from '../ml/nets/modelFiles';
import { MODEL_SUBDIR } from '../project/projectModels';
import { getSetting, latestCheckpoint, type ProjectStore, type TrainingRun } from '../store';

export interface CachedModel {
  readonly run: TrainingRun;
  readonly step: number;
  readonly modelDir: string;
  readonly model: LayersModel;
}

/**
 * Where a run's newest checkpoint keeps its model (or another of its networks, e.g. an SDE
 * run's `pose`); undefined where the run has none.
 */
export async function runModelDir(store: ProjectStore, run: TrainingRun, network = MODEL_SUBDIR): Promise<{ step: number; modelDir: string } | undefined> {
  const ckpt = await latestCheckpoint(store, run.id);
  if (!ckpt) return undefined;
  return { step: ckpt.step, modelDir: join(store.dir, ckpt.path, network) };
}

/**
 * The output names of a saved model, read from its model.json without loading the weights
 * (the names of the layers listed as the model's outputs).
 */
export function savedModelOutputs(modelDir: string): string[] {
  const file = join(modelDir, 'model.json');
  if (!existsSync(file)) throw new DataError(file, 'not found: the checkpoint has no saved model');
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(file, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const outputs = (json as { modelTopology?: { config?: { output_layers?: unknown } } }).modelTopology?.config?.output_layers;
  if (!Array.isArray(outputs)) throw new DataError(file, 'no modelTopology.config.output_layers: not a tfjs functional model');
  return outputs.map((o) => (Array.isArray(o) && typeof o[0] === 'string' ? o[0] : '?'));
}

/** The engine options a project asks for (its `engine.backend` setting), else the defaults. */
async function projectEngineOptions(store: ProjectStore): Promise<EngineOptions> {
  const setting = await getSetting(store, 'engine.backend');
  return typeof setting === 'string' ? { backend: parseBackendChoice(setting, 'project setting engine.backend') } : {};
}

/** The networks a cache entry can be: the run's model, or another network its checkpoints keep. */
const entryKey = (runId: number, network: string): string => `${runId}/${network}`;

export class ModelCache {
  private readonly models = new Map<string, { step: number; modelDir: string; loading: Promise<LayersModel> }>();
  /** How many models were read from disk (tests check that a second look does not reload). */
  loads = 0;

  /**
   * The run's newest checkpoint's model (or its `network`, e.g. an SDE run's pose network),
   * loaded at most once while that checkpoint is the newest.
   */
  async get(store: ProjectStore, run: TrainingRun, network = MODEL_SUBDIR): Promise<CachedModel> {
    const where = await runModelDir(store, run, network);
    if (!where) throw new NoCheckpointError(run.id);
    const key = entryKey(run.id, network);
    const cached = this.models.get(key);
    if (cached && cached.step === where.step && cached.modelDir === where.modelDir) {
      return { run, step: where.step, modelDir: where.modelDir, model: await cached.loading };
    }
    if (cached) this.drop(key);
    const loading = (async () => {
      await initEngine(await projectEngineOptions(store));
      if (!existsSync(join(where.modelDir, 'model.json'))) {
        throw new DataError(where.modelDir, `training run ${run.id} step ${where.step}: no model.json in the checkpoint's ${network} folder`);
      }
      this.loads++;
      return await loadModelFromFolder(where.modelDir);
    })();
    const entry = { step: where.step, modelDir: where.modelDir, loading };
    this.models.set(key, entry);
    try {
      return { run, step: where.step, modelDir: where.modelDir, model: await loading };
    } catch (e) {
      if (this.models.get(key) === entry) this.models.delete(key);
      throw e;
    }
  }

  /** Networks in memory (one per run, plus e.g. an SDE run's pose network once asked for). */
  get size(): number {
    return this.models.size;
  }

  private drop(key: string): void {
    const entry = this.models.get(key);
    this.models.delete(key);
    entry?.loading.then(
      (m) => m.dispose(),
      () => undefined,
    );
  }

  /** Disposes every model (the project closed or another one opened). */
  clear(): void {
    for (const id of [...this.models.keys()]) this.drop(id);
  }
}
