/**
 * Starts training jobs in worker threads from the main process; nothing here blocks on
 * training. Each job gets its own worker (its own tfjs and engine); the worker is terminated
 * when the job ends, or `cancelGraceMs` after a cancel that the job does not honour.
 */
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../engine/backend';
import type { FromWorker, TerminalMessage, ToWorker } from './protocol';

export interface JobSpec {
  kind: string;
  params: unknown;
  backend?: BackendChoice;
  threads?: number;
  kindModules?: string[];
  jobId?: string;
  /** How long a cancelled job may take to stop before its thread is terminated (default 10 s). */
  cancelGraceMs?: number;
  /**
   * The worker's script (default: workerEntry.mjs beside this file: from the sources it runs
   * the TypeScript worker through tsx; in the bundle, out/main, it runs the built worker).
   */
  workerScript?: string | URL;
}

export interface JobHandle {
  jobId: string;
  cancel(): void;
  requestCheckpoint(): void;
  /**
   * Ends the thread at once, without a checkpoint or any further write: for a job that is no
   * longer this process's to run (a queue worker whose job was taken over). done resolves failed.
   */
  kill(reason: string): void;
  /** The last message: finished (also after cancel) or failed. Never rejects. */
  done: Promise<TerminalMessage>;
}

export function startJob(spec: JobSpec, onMessage: (m: FromWorker) => void = () => undefined): JobHandle {
  const jobId = spec.jobId ?? randomUUID();
  const worker = new Worker(spec.workerScript ?? new URL('./workerEntry.mjs', import.meta.url));
  const cancelFlag = new SharedArrayBuffer(4);
  let lastStep = 0;
  let ended = false;
  let resolveDone: (m: TerminalMessage) => void = () => undefined;
  const done = new Promise<TerminalMessage>((resolve) => {
    resolveDone = resolve;
  });
  const end = (m: TerminalMessage) => {
    if (ended) return;
    ended = true;
    resolveDone(m);
    void worker.terminate();
  };
  worker.on('message', (m: FromWorker) => {
    if (ended) return;
    if (m.type === 'progress') lastStep = m.step;
    onMessage(m);
    if (m.type === 'finished' || m.type === 'failed') end(m);
  });
  worker.on('error', (e) => {
    const m: TerminalMessage = { type: 'failed', jobId, message: `worker error: ${e.message}`, stack: e.stack };
    if (!ended) onMessage(m);
    end(m);
  });
  worker.on('exit', (code) => {
    if (ended) return;
    const m: TerminalMessage = { type: 'failed', jobId, message: `worker exited (code ${code}) before the job ended` };
    onMessage(m);
    end(m);
  });
  const send = (m: ToWorker) => {
    if (!ended) worker.postMessage(m);
  };
  send({ type: 'start', jobId, kind: spec.kind, params: spec.params, backend: spec.backend, threads: spec.threads, kindModules: spec.kindModules, cancelFlag });
  return {
    jobId,
    cancel() {
      Atomics.store(new Int32Array(cancelFlag), 0, 1);
      send({ type: 'cancel' });
      setTimeout(() => {
        if (ended) return;
        const m: TerminalMessage = { type: 'finished', jobId, cancelled: true, step: lastStep, result: { terminated: true } };
        onMessage(m);
        end(m);
      }, spec.cancelGraceMs ?? 10_000).unref();
    },
    requestCheckpoint: () => send({ type: 'checkpoint' }),
    kill(reason) {
      if (ended) return;
      const m: TerminalMessage = { type: 'failed', jobId, message: reason };
      onMessage(m);
      end(m);
    },
    done,
  };
}
