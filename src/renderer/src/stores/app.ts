import { defineStore } from 'pinia';
import type { AppInfo } from '../../../core/api/contract';

/** App-wide state: which shell the UI runs in and whether the core answers. */
export const useAppStore = defineStore('app', {
  state: () => ({ info: null as AppInfo | null, error: null as string | null }),
  actions: {
    async connect(): Promise<void> {
      const api = window.depthseg;
      if (!api) {
        this.error = 'The workbench core is not connected (no API in this window).';
        return;
      }
      try {
        this.info = await api.appInfo();
        this.error = null;
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
      }
    },
  },
});
