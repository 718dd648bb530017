/**
 * Messages between the main process and a training worker thread. The main side sends
 * `start` once, then any number of `cancel` / `checkpoint` requests; the worker answers with
 * `started`, `progress`, `checkpoint`, `log` and `report` messages and ends with exactly one `finished`
 * (also after a cancel, with cancelled: true) or `failed`.
 */
import type { BackendChoice } from '../engine/backend';

/** A tensor as plain data (structured-clone friendly). */
export interface TensorPayload {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

export interface StartMessage {
  type: 'start';
  jobId: string;
  /** Name of a registered job kind. */
  kind: string;
  params: unknown;
  backend?: BackendChoice;
  threads?: number;
  /**
   * Modules (absolute paths or file URLs) that register more job kinds, imported first: how
   * the tests add their own kinds (test/jobs/fixtures) without shipping them in src/.
   */
  kindModules?: string[];
  /**
   * Shared cancel flag (Int32 at index 0 becomes 1 on cancel): seen by isCancelled() even
   * while a job never yields to the event loop, where the `cancel` message would wait.
   */
  cancelFlag?: SharedArrayBuffer;
}
export interface CancelMessage {
  type: 'cancel';
}
export interface CheckpointRequest {
  type: 'checkpoint';
}
export type ToWorker = StartMessage | CancelMessage | CheckpointRequest;

export interface StartedMessage {
  type: 'started';
  jobId: string;
  backend: string;
  reason: string;
  threads: number;
}
export interface ProgressMessage {
  type: 'progress';
  jobId: string;
  step: number;
  totalSteps: number;
  loss: number;
  metrics: Record<string, number>;
  /** Seconds left at the mean step time so far. */
  etaSeconds: number;
  /** tf.memory() inside the worker after this step. */
  memory: { numTensors: number; numBytes: number };
}
export interface CheckpointMessage {
  type: 'checkpoint';
  jobId: string;
  step: number;
  tensors: Record<string, TensorPayload>;
}
export interface LogMessage {
  type: 'log';
  jobId: string;
  line: string;
}
/** Structured state a job reports beside its step progress (e.g. a training run's phase and id). */
export interface ReportMessage {
  type: 'report';
  jobId: string;
  data: unknown;
}
export interface FinishedMessage {
  type: 'finished';
  jobId: string;
  cancelled: boolean;
  /** Step of the last progress report. */
  step: number;
  result: unknown;
}
export interface FailedMessage {
  type: 'failed';
  jobId: string;
  message: string;
  stack?: string;
}
export type FromWorker = StartedMessage | ProgressMessage | CheckpointMessage | LogMessage | ReportMessage | FinishedMessage | FailedMessage;
export type TerminalMessage = FinishedMessage | FailedMessage;
