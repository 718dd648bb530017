import { defineStore } from 'pinia';
import type { AppInfo } from '../../../core/api/contract';
import { api } from '../api/bridge';

/** App-wide state: which shell the UI runs in and whether the core answers. */
export const useAppStore = defineStore('app', {
  state: () => ({ info: null as AppInfo | null, error: null as string | null }),
  actions: {
    async connect(): Promise<void> {
      try {
        this.info = await api().call('appInfo', {});
        this.error = null;
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
      }
    },
  },
});
