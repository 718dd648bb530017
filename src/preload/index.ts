// Preload: exposes the one typed API bridge to the renderer through contextBridge. Nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import {
  API_CHANNEL,
  API_EVENT_CHANNEL,
  API_GLOBAL,
  type ApiErrorPayload,
  type ApiEvent,
  type DepthsegBridge,
} from '../core/api/contract';

type IpcAnswer = { ok: true; result: unknown } | { ok: false; error: ApiErrorPayload };

const bridge: DepthsegBridge = {
  // The main process answers {ok, result} or {ok: false, error: {name, message}}: the error's
  // name (ProjectClosedError...) survives, as it does over the host's WebSocket.
  async call(method, params) {
    const answer = (await ipcRenderer.invoke(API_CHANNEL, method, params)) as IpcAnswer;
    if (answer.ok) return answer.result as never;
    throw Object.assign(new Error(answer.error.message), { name: answer.error.name });
  },
  on(event: ApiEvent, listener) {
    const handler = (_e: unknown, name: string, payload: unknown): void => {
      if (name === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(API_EVENT_CHANNEL, handler);
    return () => void ipcRenderer.off(API_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, bridge);
