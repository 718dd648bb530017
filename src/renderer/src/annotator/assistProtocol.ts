/**
 * Messages between the annotator and its assist worker (assist.worker.ts). The annotator sends
 * `frame` when a frame's superpixels (and SDE features) arrive, then `propose` after each
 * finished step; the worker answers each `propose` with exactly one `proposal` or `failed`,
 * tagged with the request's id, in order. A `propose` for a frame the worker was not given
 * (another frameKey) is answered `failed`.
 */
import type { AssistOptions, Proposal } from './assist';
import type { ExtraFeatures } from './assistFeatures';

/** A frame's superpixels as plain data (structured-clone friendly): what SuperpixelMap is built from. */
export interface SuperpixelPayload {
  readonly width: number;
  readonly height: number;
  readonly labels: Uint16Array | Uint32Array;
  readonly count: number;
  readonly meanLab: Float32Array;
}

export interface FrameMessage {
  readonly type: 'frame';
  /** Names this frame's set-up in later `propose` messages (the annotator counts them up). */
  readonly frameKey: number;
  readonly superpixels: SuperpixelPayload;
  readonly extra?: ExtraFeatures;
  readonly options?: AssistOptions;
}

export interface ProposeMessage {
  readonly type: 'propose';
  readonly id: number;
  readonly frameKey: number;
  /** The mask as painted (one class id a pixel, 255 unpainted); the worker may keep it. */
  readonly mask: Uint8Array;
}

export type ToAssistWorker = FrameMessage | ProposeMessage;

export interface ProposalMessage extends Proposal {
  readonly type: 'proposal';
  readonly id: number;
  /** Time the worker spent training and predicting, ms. */
  readonly ms: number;
}

export interface FailedMessage {
  readonly type: 'failed';
  readonly id: number;
  readonly message: string;
}

export type FromAssistWorker = ProposalMessage | FailedMessage;
