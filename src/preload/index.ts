// Preload: exposes the one typed API to the renderer through contextBridge. Nothing else.
import { contextBridge, ipcRenderer } from 'electron';
import { API_CHANNEL, API_GLOBAL, type DepthsegApi } from '../core/api/contract';

const api: DepthsegApi = {
  appInfo: () => ipcRenderer.invoke(`${API_CHANNEL}:appInfo`),
};

contextBridge.exposeInMainWorld(API_GLOBAL, api);
