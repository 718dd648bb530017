/**
 * Simulated annotators of the team queue, shared by the team tests and `npm run bench:team`:
 * each takes the next frame nobody else holds (leaseNextFrame), saves its mask a few times
 * (each save checked against the version it started from), the last save marking it done,
 * and goes on until the queue is empty. Every acknowledged save is recorded with its bytes,
 * so a test can check afterwards that none was lost.
 */
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { getFrame, leaseNextFrame, saveMask, type ProjectStore } from '../src/core/store';

export interface AckedSave {
  readonly annotator: string;
  readonly frameId: number;
  readonly version: number;
  /** SHA-256 of the mask bytes sent. */
  readonly sha256: string;
  /** How long the save took, ms. */
  readonly ms: number;
}

export interface AnnotatorResult {
  readonly annotator: string;
  readonly leased: number[];
  readonly saves: AckedSave[];
}

/** Mask bytes that differ per frame, annotator and save, with class ids 0..18. */
export function annotatorMask(frameId: number, annotator: string, k: number, width: number, height: number): Uint8Array {
  const seed = createHash('sha256').update(`${frameId}/${annotator}/${k}`).digest();
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = seed[i % seed.length]! % 19;
  return data;
}

export const sha256 = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');

export async function simulateAnnotator(
  store: ProjectStore,
  projectId: number,
  annotator: string,
  opts: { savesPerFrame: number; maxFrames?: number; leaseMs?: number },
): Promise<AnnotatorResult> {
  const leased: number[] = [];
  const saves: AckedSave[] = [];
  while (opts.maxFrames === undefined || leased.length < opts.maxFrames) {
    const row = await leaseNextFrame(store, projectId, annotator, opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {});
    if (!row) break;
    leased.push(row.frameId);
    const frame = await getFrame(store, row.frameId);
    let version = row.version;
    for (let k = 0; k < opts.savesPerFrame; k++) {
      const data = annotatorMask(row.frameId, annotator, k, frame.width, frame.height);
      const t0 = performance.now();
      const saved = await saveMask(store, row.frameId, { width: frame.width, height: frame.height, data }, annotator, {
        expectedVersion: version,
        leaseMs: opts.leaseMs ?? 15 * 60_000,
        ...(k === opts.savesPerFrame - 1 ? { status: 'done' as const } : {}),
      });
      saves.push({ annotator, frameId: row.frameId, version: saved.version, sha256: sha256(data), ms: performance.now() - t0 });
      version = saved.version;
    }
  }
  return { annotator, leased, saves };
}
