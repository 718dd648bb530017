/**
 * What the assist worker does with each message (assistProtocol.ts), without the worker: keeps
 * the LiveAssist of the frame it was last given and answers `propose` with its proposal. Plain
 * TypeScript, no DOM: assist.worker.ts wires it to the worker's messages, and the tests call it
 * directly.
 */
import { LiveAssist } from './assist';
import type { FromAssistWorker, ToAssistWorker } from './assistProtocol';
import { SuperpixelMap } from './superpixelMap';

export class AssistWorkerHandler {
  private frameKey: number | undefined;
  private assist: LiveAssist | undefined;
  /** Why the last `frame` could not be set up (its `propose` messages fail with it). */
  private frameError: string | undefined;

  /** Handles one message; returns the reply, or null for messages that get none (`frame`). */
  handle(msg: ToAssistWorker): FromAssistWorker | null {
    if (msg.type === 'frame') {
      this.frameKey = msg.frameKey;
      this.assist = undefined;
      this.frameError = undefined;
      try {
        const s = msg.superpixels;
        this.assist = new LiveAssist(new SuperpixelMap(s.width, s.height, s.labels, s.count, s.meanLab), msg.extra, msg.options);
      } catch (e) {
        this.frameError = (e as Error).message;
      }
      return null;
    }
    if (msg.frameKey !== this.frameKey) {
      return { type: 'failed', id: msg.id, message: `assist worker: no frame ${msg.frameKey} set up (it has ${this.frameKey ?? 'none'})` };
    }
    if (!this.assist) return { type: 'failed', id: msg.id, message: this.frameError ?? 'assist worker: the frame could not be set up' };
    const started = performance.now();
    try {
      const p = this.assist.propose(msg.mask);
      return { type: 'proposal', id: msg.id, ...p, ms: Math.round(performance.now() - started) };
    } catch (e) {
      return { type: 'failed', id: msg.id, message: (e as Error).message };
    }
  }
}
