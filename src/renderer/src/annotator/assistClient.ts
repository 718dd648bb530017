/**
 * The annotator's side of the assist worker (assist.worker.ts, protocol in assistProtocol.ts):
 * sets up a frame, asks for proposals and resolves each with the worker's answer. Where a Web
 * Worker cannot be started (no Worker, as in jsdom, or the browser refuses the script) the same
 * handler runs on the main thread, and `runsIn` says so with the reason.
 */
import type { AssistOptions } from './assist';
import type { ExtraFeatures } from './assistFeatures';
import type { FromAssistWorker, ProposalMessage, ToAssistWorker } from './assistProtocol';
import { AssistWorkerHandler } from './assistWorkerHandler';
import { MaskError } from './maskError';
import type { SuperpixelMap } from './superpixelMap';

export class AssistClient {
  /** Where proposals are computed: 'worker', or 'main thread (why)'. */
  readonly runsIn: string;
  private readonly worker: Worker | undefined;
  private readonly local: AssistWorkerHandler | undefined;
  private frameKey = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (p: ProposalMessage) => void; reject: (e: Error) => void }>();

  constructor() {
    let worker: Worker | undefined;
    let why = '';
    try {
      if (typeof Worker === 'undefined') why = 'no Web Worker here';
      else worker = new Worker(new URL('./assist.worker.ts', import.meta.url), { type: 'module', name: 'assist' });
    } catch (e) {
      why = `the worker did not start: ${(e as Error).message}`;
    }
    this.worker = worker;
    if (worker) {
      this.runsIn = 'worker';
      worker.onmessage = (e: MessageEvent<FromAssistWorker>) => this.answer(e.data);
      worker.onerror = (e: ErrorEvent) => this.failAll(`assist worker: ${e.message || 'failed to load'}`);
    } else {
      this.runsIn = `main thread (${why})`;
      this.local = new AssistWorkerHandler();
    }
  }

  /** Sets up the frame the next proposals are for; answers still due for the frame before fail. */
  setFrame(sp: SuperpixelMap, extra?: ExtraFeatures, options?: AssistOptions): void {
    this.frameKey++;
    this.failAll('the frame changed');
    this.send({ type: 'frame', frameKey: this.frameKey, superpixels: { width: sp.width, height: sp.height, labels: sp.labels, count: sp.count, meanLab: sp.meanLab }, extra, options });
  }

  /** The proposal for `mask` (copied: the caller may keep painting into it). */
  propose(mask: Uint8Array): Promise<ProposalMessage> {
    if (this.frameKey === 0) return Promise.reject(new MaskError('assist: no frame set up'));
    const id = this.nextId++;
    const answer = new Promise<ProposalMessage>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    const copy = mask.slice();
    this.send({ type: 'propose', id, frameKey: this.frameKey, mask: copy }, [copy.buffer]);
    return answer;
  }

  dispose(): void {
    this.failAll('the assist was closed');
    this.worker?.terminate();
  }

  private send(msg: ToAssistWorker, transfer: Transferable[] = []): void {
    if (this.worker) {
      this.worker.postMessage(msg, transfer);
      return;
    }
    const reply = this.local!.handle(msg);
    // Answered after the caller got its promise, as a worker's would be.
    if (reply) queueMicrotask(() => this.answer(reply));
  }

  private answer(msg: FromAssistWorker): void {
    const waiting = this.pending.get(msg.id);
    if (!waiting) return;
    this.pending.delete(msg.id);
    if (msg.type === 'proposal') waiting.resolve(msg);
    else waiting.reject(new MaskError(msg.message));
  }

  private failAll(why: string): void {
    for (const w of this.pending.values()) w.reject(new MaskError(`assist: ${why}`));
    this.pending.clear();
  }
}
