// Preload: exposes the one typed API bridge to the renderer through contextBridge. Nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import {
  API_CHANNEL,
  API_EVENT_CHANNEL,
  API_GLOBAL,
  type ApiEvent,
  type DepthsegBridge,
} from '../core/api/contract';

const bridge: DepthsegBridge = {
  call: (method, params) => ipcRenderer.invoke(API_CHANNEL, method, params),
  on(event: ApiEvent, listener) {
    const handler = (_e: unknown, name: string, payload: unknown): void => {
      if (name === event) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(API_EVENT_CHANNEL, handler);
    return () => void ipcRenderer.off(API_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld(API_GLOBAL, bridge);
