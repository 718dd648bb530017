/**
 * Body of a training worker thread: its own tfjs and engine, one job per worker. Receives the
 * protocol's ToWorker messages and answers with FromWorker messages (see protocol.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../errors';
import { initEngine, shutdownEngine } from '../engine/backend';
import './kinds';
import type { FromWorker, StartMessage, ToWorker } from './protocol';
import { getJobKind, type JobContext } from './registry';
import { toPayload } from './tensorPayload';

const port = parentPort;
if (!port) throw new Error('trainingWorker must run in a worker thread');

let cancelled = false;
let checkpointWanted = false;
let started = false;

const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

port.on('message', (m: ToWorker) => {
  if (m.type === 'start' && !started) {
    started = true;
    void runJob(m);
  } else if (m.type === 'cancel') cancelled = true;
  else if (m.type === 'checkpoint') checkpointWanted = true;
});

async function runJob(m: StartMessage): Promise<void> {
  const jobId = m.jobId;
  const flag = m.cancelFlag ? new Int32Array(m.cancelFlag) : null;
  const isCancelled = (): boolean => {
    if (!cancelled && flag && Atomics.load(flag, 0) === 1) cancelled = true;
    return cancelled;
  };
  let lastStep = 0;
  try {
    for (const mod of m.kindModules ?? []) await import(isAbsolute(mod) ? pathToFileURL(mod).href : mod);
    const kind = getJobKind(m.kind);
    const params = kind.parseParams(m.params);
    const engine = await initEngine({ backend: m.backend, threads: m.threads, log: (line) => post({ type: 'log', jobId, line }) });
    post({ type: 'started', jobId, backend: engine.backend, reason: engine.reason, threads: engine.threads });
    const t0 = performance.now();
    const ctx: JobContext<unknown> = {
      jobId,
      params,
      engine,
      isCancelled,
      tick: () => new Promise((resolve) => setImmediate(resolve)),
      progress: ({ step, totalSteps, loss, metrics }) => {
        lastStep = step;
        const perStep = (performance.now() - t0) / 1000 / step;
        const mem = tf.memory();
        post({
          type: 'progress',
          jobId,
          step,
          totalSteps,
          loss,
          metrics: metrics ?? {},
          etaSeconds: perStep * (totalSteps - step),
          memory: { numTensors: mem.numTensors, numBytes: mem.numBytes },
        });
      },
      report: (data) => post({ type: 'report', jobId, data }),
      checkpointRequested: () => checkpointWanted,
      checkpoint: async (step, tensors) => {
        checkpointWanted = false;
        const out: Record<string, Awaited<ReturnType<typeof toPayload>>> = {};
        for (const [name, t] of Object.entries(tensors)) out[name] = await toPayload(t);
        post({ type: 'checkpoint', jobId, step, tensors: out });
      },
    };
    const result = await kind.run(ctx);
    post({ type: 'finished', jobId, cancelled: isCancelled(), step: lastStep, result });
  } catch (e) {
    post({ type: 'failed', jobId, message: errorMessage(e), stack: e instanceof Error ? e.stack : undefined });
  } finally {
    shutdownEngine();
  }
}
