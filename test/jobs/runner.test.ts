/**
 * Training in a worker thread: progress, checkpoints, cancel, failures and a flat tensor count,
 * with a real training job ('segnet-train', a test fixture the worker loads through
 * `kindModules`) on the wasm backend (tiny sizes).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CheckpointMessage, FromWorker, ProgressMessage } from '../../src/core/jobs/protocol';
import { startJob } from '../../src/core/jobs/runner';
import { synthFrames } from './fixtures/synthFrames';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
/** The worker registers the test-only 'segnet-train' kind from this module before the job. */
const segnet = { kind: 'segnet-train', kindModules: [fixture('segnetTrainingKind.ts')] };

const tiny = (steps: number, extra: Record<string, unknown> = {}) => ({
  ...synthFrames(1, 16, 16),
  steps,
  widths: [4, 4, 4, 4],
  ...extra,
});

function collect() {
  const messages: FromWorker[] = [];
  return { messages, on: (m: FromWorker) => messages.push(m), of: <T extends FromWorker['type']>(t: T) => messages.filter((m) => m.type === t) as Extract<FromWorker, { type: T }>[] };
}

describe('training jobs in a worker thread', () => {
  it('reports progress with ETA, answers a checkpoint request and keeps the tensor count flat over 300 steps', async () => {
    const c = collect();
    let asked = false;
    const job = startJob({ ...segnet, params: tiny(300, { progressEvery: 10 }), backend: 'wasm', threads: 1 }, (m) => {
      c.on(m);
      if (m.type === 'progress' && m.step === 100 && !asked) {
        asked = true;
        job.requestCheckpoint();
      }
    });
    const end = await job.done;
    expect(end).toMatchObject({ type: 'finished', cancelled: false, step: 300 });
    expect(c.of('started')[0]).toMatchObject({ backend: 'wasm', threads: 1 });
    const progress = c.of('progress') as ProgressMessage[];
    expect(progress.map((p) => p.step)).toEqual(Array.from({ length: 30 }, (_, k) => 10 * (k + 1)));
    for (const p of progress) {
      expect(p.totalSteps).toBe(300);
      expect(Number.isFinite(p.loss)).toBe(true);
      expect(p.etaSeconds).toBeGreaterThanOrEqual(0);
    }
    expect(progress.at(-1)!.etaSeconds).toBe(0);
    expect(progress.at(-1)!.loss).toBeLessThan(progress[0]!.loss);
    // Memory: the same number of tensors after step 10 and after step 300.
    expect(new Set(progress.map((p) => p.memory.numTensors)).size).toBe(1);
    expect(progress.at(-1)!.memory.numBytes).toBe(progress[0]!.memory.numBytes);
    const ckpt = c.of('checkpoint') as CheckpointMessage[];
    expect(ckpt).toHaveLength(1);
    expect(ckpt[0]!.step).toBeGreaterThanOrEqual(100);
    const weights = Object.values(ckpt[0]!.tensors);
    expect(weights.length).toBeGreaterThan(10);
    expect(weights[0]!.data.length).toBe(weights[0]!.shape.reduce((a, b) => a * b, 1));
  });

  it('stops a running job on cancel', async () => {
    const c = collect();
    const job = startJob({ ...segnet, params: tiny(1_000_000), backend: 'wasm', threads: 1 }, (m) => {
      c.on(m);
      if (m.type === 'progress' && m.step === 3) job.cancel();
    });
    const end = await job.done;
    expect(end.type).toBe('finished');
    if (end.type !== 'finished') return;
    expect(end.cancelled).toBe(true);
    expect(end.result).not.toEqual({ terminated: true }); // it stopped by itself, not by termination
    expect(end.step).toBeGreaterThanOrEqual(3);
    expect(end.step).toBeLessThan(50);
  });

  it('reports failed with the message for bad parameters and for a job that throws', async () => {
    const bad = tiny(5);
    bad.labels = { ...bad.labels, shape: [1, 8, 16], data: bad.labels.data.slice(0, 128) };
    const r1 = await startJob({ ...segnet, params: bad, backend: 'wasm', threads: 1 }).done;
    expect(r1.type).toBe('failed');
    expect(r1.type === 'failed' && r1.message).toMatch(/labels must be int32 \[1, 16, 16\]/);

    const r2 = await startJob({ kind: 'no-such-kind', params: {} }).done;
    expect(r2.type === 'failed' && r2.message).toMatch(/unknown job kind 'no-such-kind'; registered: train-sde, train-seg, select-round$/);

    const c = collect();
    const r3 = await startJob(
      { kind: 'test-explodes', params: { failAt: 4 }, backend: 'cpu', kindModules: [fixture('explodingKind.ts')] },
      c.on,
    ).done;
    expect(r3.type === 'failed' && r3.message).toBe('exploded at step 4 on purpose');
    expect(c.of('progress').map((p) => p.step)).toEqual([1, 2, 3, 4]);
  });
});
