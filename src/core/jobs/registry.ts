/**
 * Job kinds by name. A kind parses its parameters (throwing a clear error for bad ones) and
 * runs inside the worker thread with a JobContext; it checks isCancelled() and calls tick()
 * between steps so that cancel and checkpoint requests arrive.
 */
import type * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../errors';
import type { EngineInfo } from '../engine/backend';

export interface JobContext<P> {
  jobId: string;
  params: P;
  engine: EngineInfo;
  isCancelled(): boolean;
  /** Lets queued messages (cancel, checkpoint) in; call once per step. */
  tick(): Promise<void>;
  progress(p: { step: number; totalSteps: number; loss: number; metrics?: Record<string, number> }): void;
  /** Sends structured state (structured-clone data) to the main side as a `report` message. */
  report(data: unknown): void;
  /** True when the main side asked for a checkpoint since the last one. */
  checkpointRequested(): boolean;
  checkpoint(step: number, tensors: Record<string, tf.Tensor>): Promise<void>;
}

export interface JobKind<P = unknown, R = unknown> {
  name: string;
  parseParams(raw: unknown): P;
  run(ctx: JobContext<P>): Promise<R>;
}

const kinds = new Map<string, JobKind>();

export function registerJobKind<P, R>(kind: JobKind<P, R>): void {
  kinds.set(kind.name, kind as unknown as JobKind);
}

export function getJobKind(name: string): JobKind {
  const kind = kinds.get(name);
  if (!kind) throw new UsageError(`unknown job kind '${name}'; registered: ${[...kinds.keys()].join(', ') || 'none'}`);
  return kind;
}
