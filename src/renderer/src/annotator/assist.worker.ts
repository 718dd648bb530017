/**
 * The live assist's worker (a module Web Worker of the renderer): trains the classifier and
 * predicts off the main thread, so painting never waits for it. All it does is in
 * assistWorkerHandler.ts; the proposal's pixels go back transferred, not copied.
 */
import type { ToAssistWorker } from './assistProtocol';
import { AssistWorkerHandler } from './assistWorkerHandler';

const handler = new AssistWorkerHandler();
const scope = self as unknown as { onmessage: ((e: MessageEvent<ToAssistWorker>) => void) | null; postMessage(msg: unknown, transfer: Transferable[]): void };

scope.onmessage = (e) => {
  const reply = handler.handle(e.data);
  if (reply) scope.postMessage(reply, reply.type === 'proposal' ? [reply.classes.buffer] : []);
};
