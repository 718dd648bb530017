/**
 * A training checkpoint as a folder: one sub-folder per network in the tfjs layers format
 * (`model/`, and `pose/` or `teacher/` where the run has them), `optimizer.bin` +
 * `optimizer.json` (the optimiser's tensors, tfjs weight encoding) and `state.json` (step,
 * seed, config, metrics). Written to a temporary folder and renamed into place, so a crash
 * leaves either the whole checkpoint or none; the store records it only after that.
 * Restoring puts the weights into the trainer's existing networks (same architecture), so a
 * resumed run continues exactly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DataError, UsageError } from '../../errors';
import { writeFileAtomic } from '../../fsAtomic';
import { hasPoseOutput, loadModelFromFolder, poseOutputOf, saveModelToFolder } from '../nets';
import { allVariables } from './modelIo';
import type { NamedTensors } from './optimizers';
import { processAlive } from '../../processAlive';

export const STATE_JSON = 'state.json';
export const OPTIMIZER_BIN = 'optimizer.bin';
export const OPTIMIZER_JSON = 'optimizer.json';

export interface CheckpointState {
  step: number;
  [key: string]: unknown;
}

/** Where a checkpoint is written before it is renamed into place (`.step-0000010.<pid>.partial`). */
export function partialCheckpointName(dir: string, pid = process.pid): string {
  return join(dirname(dir), `.${basename(dir)}.${pid}.partial`);
}

export async function writeCheckpoint(dir: string, networks: Record<string, tfl.LayersModel>, optimiser: NamedTensors, state: CheckpointState): Promise<void> {
  const parent = dirname(dir);
  mkdirSync(parent, { recursive: true });
  const tmp = partialCheckpointName(dir);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  for (const [name, model] of Object.entries(networks)) await saveModelToFolder(model, join(tmp, name));
  const { data, specs } = await tf.io.encodeWeights(optimiser);
  writeFileAtomic(join(tmp, OPTIMIZER_BIN), new Uint8Array(data));
  writeFileAtomic(join(tmp, OPTIMIZER_JSON), JSON.stringify(specs));
  writeFileAtomic(join(tmp, STATE_JSON), JSON.stringify(state, null, 1));
  if (existsSync(dir)) {
    const old = join(parent, `.${basename(dir)}.${process.pid}.old`);
    rmSync(old, { recursive: true, force: true });
    renameSync(dir, old);
    renameSync(tmp, dir);
    rmSync(old, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
}

/**
 * Tidies what a process killed while writing a checkpoint in `parent` left behind: a
 * half-written `.NAME.PID.partial` folder is removed (it was never renamed into place, so
 * nothing uses it), and a `.NAME.PID.old` folder (the previous version of a checkpoint being
 * replaced) goes back to NAME when the crash came between the two renames, else is removed.
 * Folders of a process that is still running are left alone. Returns what it did, in words.
 */
export function recoverCheckpointLeftovers(parent: string): string[] {
  if (!existsSync(parent)) return [];
  const done: string[] = [];
  for (const entry of readdirSync(parent)) {
    const m = /^\.(.+)\.(\d+)\.(partial|old)$/.exec(entry);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && processAlive(pid)) continue;
    const path = join(parent, entry);
    const target = join(parent, m[1]!);
    if (m[3] === 'old' && !existsSync(target)) {
      renameSync(path, target);
      done.push(`restored ${m[1]} from ${entry}`);
    } else {
      rmSync(path, { recursive: true, force: true });
      done.push(`removed ${entry}`);
    }
  }
  return done;
}

export function readCheckpointState(dir: string): CheckpointState {
  const path = join(dir, STATE_JSON);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new DataError(path, `cannot read the checkpoint state: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { step?: unknown }).step !== 'number') {
    throw new DataError(path, 'checkpoint state has no step');
  }
  return parsed as CheckpointState;
}

export function readOptimiserState(dir: string): NamedTensors {
  const bin = join(dir, OPTIMIZER_BIN);
  const specsPath = join(dir, OPTIMIZER_JSON);
  try {
    const specs = JSON.parse(readFileSync(specsPath, 'utf8')) as tf.io.WeightsManifestEntry[];
    const buf = readFileSync(bin);
    return tf.io.decodeWeights(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength), specs);
  } catch (e) {
    throw new DataError(bin, `cannot read the optimiser state: ${(e as Error).message}`);
  }
}

/**
 * Loads the weights saved in `dir/<name>` into `model` (same architecture). A pose network
 * saved with another output scaling (by an earlier version) is refused with a UsageError,
 * not a DataError: the checkpoint is sound and stays, but its weights would give other poses.
 */
export async function restoreNetwork(dir: string, name: string, model: tfl.LayersModel): Promise<void> {
  const saved = await loadModelFromFolder(join(dir, name));
  try {
    // A saved network without a pose output is another architecture: the weight check below says so.
    if (hasPoseOutput(model) && hasPoseOutput(saved)) {
      const was = JSON.stringify(poseOutputOf(saved));
      const now = JSON.stringify(poseOutputOf(model));
      if (was !== now) {
        throw new UsageError(
          `the checkpoint in ${dir} holds a pose network that scales its output as ${was}, this version's as ${now}: ` +
            'it cannot be continued exactly; start a new run with the same settings instead',
        );
      }
    }
    const from = allVariables(saved);
    const to = allVariables(model);
    if (from.length !== to.length) throw new DataError(join(dir, name), `checkpoint network has ${from.length} weights, the run's has ${to.length}`);
    tf.tidy(() =>
      to.forEach((v, k) => {
        const s = from[k]!;
        if (s.shape.join() !== v.shape.join()) throw new DataError(join(dir, name), `weight ${k} has shape [${s.shape}], the run's [${v.shape}]`);
        v.assign(tf.mul(s, 1));
      }),
    );
  } finally {
    saved.dispose();
  }
}
