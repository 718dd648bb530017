/// <reference types="vite/client" />
import type { DepthsegBridge } from '../../core/api/contract';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Set by Electron's preload; absent in a plain browser (the host's WebSocket is used). */
    depthseg?: DepthsegBridge;
  }
}
