/**
 * Chooses and starts the tfjs backend that trains and runs the models, once per thread:
 * tfjs-node-gpu (CUDA) -> tfjs-node -> wasm with this project's training kernels -> cpu.
 * The optional native packages are loaded with a dynamic import, so the app works without them.
 * Override with `initEngine({ backend })` or the DEPTHSEG_BACKEND environment variable
 * (`auto`, `node-gpu`, `node`, `wasm`, `cpu`). The choice and its reason are logged once.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import os from 'node:os';
import path from 'node:path';
import { UsageError, errorMessage } from '../errors';
import { registerTrainingGradients } from './gradients';
import { registerCpuTrainingKernels, registerWasmTrainingKernels } from './kernels';
import { createThreadedWasmBackend, wasmPackageDir } from './wasmThreaded';

export const BACKEND_CHOICES = ['auto', 'node-gpu', 'node', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKEND_CHOICES)[number];

export interface EngineOptions {
  /** Which backend; default: DEPTHSEG_BACKEND, else 'auto'. */
  backend?: BackendChoice;
  /** XNNPACK threads for wasm; default: DEPTHSEG_THREADS, else every core. */
  threads?: number;
  /** Where the one line about the choice goes; default: stderr. */
  log?: (line: string) => void;
}

export interface EngineInfo {
  /** tfjs backend name: 'tensorflow', 'wasm' or 'cpu'. */
  backend: string;
  /** What was chosen and why, in words. */
  reason: string;
  /** Threads the backend computes with (1 for cpu). */
  threads: number;
  /** For wasm: whether the threaded-SIMD build runs (else tfjs's own single-thread SIMD build). */
  threadedWasm?: boolean;
}

let current: EngineInfo | null = null;
let starting: Promise<EngineInfo> | null = null;

export function parseBackendChoice(value: string, source: string): BackendChoice {
  const v = value.trim().toLowerCase();
  if ((BACKEND_CHOICES as readonly string[]).includes(v)) return v as BackendChoice;
  throw new UsageError(`${source}: unknown backend '${value}'; use one of ${BACKEND_CHOICES.join(', ')}`);
}

function defaultThreads(): number {
  const fromEnv = process.env.DEPTHSEG_THREADS;
  if (fromEnv) {
    const n = Number(fromEnv);
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`DEPTHSEG_THREADS: expected a positive integer, got '${fromEnv}'`);
    return n;
  }
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The engine started in this thread, or null. */
export function engineInfo(): EngineInfo | null {
  return current;
}

/** Starts the engine once; later calls return the same result (options are then ignored). */
export function initEngine(opts: EngineOptions = {}): Promise<EngineInfo> {
  if (current) return Promise.resolve(current);
  starting ??= start(opts).then(
    (info) => {
      current = info;
      starting = null;
      (opts.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(
        `[engine] backend ${info.backend} (${info.threads} thread${info.threads === 1 ? '' : 's'}): ${info.reason}`,
      );
      return info;
    },
    (e: unknown) => {
      starting = null;
      throw e;
    },
  );
  return starting;
}

async function start(opts: EngineOptions): Promise<EngineInfo> {
  registerTrainingGradients();
  registerCpuTrainingKernels();
  const envChoice = process.env.DEPTHSEG_BACKEND;
  const choice: BackendChoice =
    opts.backend ?? (envChoice ? parseBackendChoice(envChoice, 'DEPTHSEG_BACKEND') : 'auto');
  const threads = opts.threads ?? defaultThreads();
  const why = opts.backend ? 'asked for' : envChoice ? 'DEPTHSEG_BACKEND' : 'automatic';
  const notes: string[] = [];

  for (const [name, pkg] of [
    ['node-gpu', '@tensorflow/tfjs-node-gpu'],
    ['node', '@tensorflow/tfjs-node'],
  ] as const) {
    if (choice !== 'auto' && choice !== name) continue;
    const r = await tryNative(pkg);
    if (r.ok) return { backend: 'tensorflow', reason: `${why}: ${pkg} loaded`, threads };
    if (choice === name) throw new UsageError(`backend '${name}' asked for (${why}) but ${pkg} does not load: ${r.error}`);
    notes.push(`${pkg} not available (${r.error})`);
  }
  if (choice === 'auto' || choice === 'wasm') {
    try {
      const w = await startWasm(threads);
      return {
        backend: 'wasm',
        reason: `${why}: wasm with the training kernels${w.note ? `; ${w.note}` : ''}${notes.length ? `; ${notes.join('; ')}` : ''}`,
        threads: w.threads,
        threadedWasm: w.threaded,
      };
    } catch (e) {
      if (choice === 'wasm') throw new Error(`backend 'wasm' asked for (${why}) but it does not start: ${errorMessage(e)}`);
      notes.push(`wasm does not start (${errorMessage(e)})`);
    }
  }
  if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend does not start');
  return { backend: 'cpu', reason: `${why}: cpu${notes.length ? `; ${notes.join('; ')}` : ''} (slow: tests and tiny models only)`, threads: 1 };
}

/** Node's error codes for a module that is not there: `import` (ESM) and `require` (CommonJS). */
const MODULE_NOT_FOUND = new Set(['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND']);

async function tryNative(pkg: string): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await import(/* @vite-ignore */ pkg);
    if (!(await tf.setBackend('tensorflow'))) return { ok: false, error: 'its backend did not start' };
    return { ok: true };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException | null)?.code;
    return { ok: false, error: code !== undefined && MODULE_NOT_FOUND.has(code) ? 'not installed' : errorMessage(e).split('\n')[0]! };
  }
}

async function startWasm(threads: number): Promise<{ threads: number; threaded: boolean; note: string }> {
  registerWasmTrainingKernels();
  setWasmPaths(`${path.join(wasmPackageDir(), 'dist')}${path.sep}`);
  setThreadsCount(threads);
  let note = '';
  let threaded = false;
  try {
    const { backend, capLifted } = await createThreadedWasmBackend(threads);
    removeWasmBackend();
    tf.registerBackend('wasm', () => backend, 2);
    threaded = true;
    note = 'threaded-SIMD build';
    if (!capLifted && threads > 1) note += '; core-count hook not found, threads capped at cores / 2';
  } catch (e) {
    // tfjs's own registration (single-thread SIMD build) is still in place unless a shutdown removed it.
    note = `threaded build failed (${errorMessage(e)}), tfjs's single-thread build`;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  return { threads: getThreadsCount(), threaded, note };
}

function removeWasmBackend(): void {
  try {
    tf.removeBackend('wasm');
  } catch {
    // not registered
  }
}

/**
 * Releases the backend (the threaded wasm build's workers); call before a worker thread or
 * the process ends. A later initEngine starts again.
 */
export function shutdownEngine(): void {
  if (!current) return;
  const name = current.backend;
  current = null;
  if (name === 'wasm') removeWasmBackend();
}
