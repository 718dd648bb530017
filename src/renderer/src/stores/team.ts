import { defineStore } from 'pinia';
import type { ApiMethod, TeamAccount } from '../../../core/api/contract';
import { teamSignIn, teamSignOut, teamStatus } from '../api/bridge';

/**
 * A team server's sign-in (docs/team-server.md): whether the page came from one, who is
 * signed in, and why the role may not do something (the server says it per method; the views
 * disable those buttons and show the words). Without a team server every call is allowed.
 */
export const useTeamStore = defineStore('team', {
  state: () => ({
    mode: 'unknown' as 'unknown' | 'local' | 'team',
    account: null as TeamAccount | null,
    error: null as string | null,
    busy: false,
  }),
  getters: {
    /** Why the signed-in role may not call `method`; null where it may (or there are no accounts). */
    refusal: (state) => (method: ApiMethod): string | null => state.account?.refusals[method] ?? null,
  },
  actions: {
    async detect(): Promise<void> {
      const s = await teamStatus();
      this.mode = s.team ? 'team' : 'local';
      this.account = s.team ? s.account : null;
    },
    async signIn(name: string, password: string): Promise<boolean> {
      this.busy = true;
      this.error = null;
      try {
        this.account = await teamSignIn(name, password);
        return true;
      } catch (e) {
        this.error = e instanceof Error ? e.message : String(e);
        return false;
      } finally {
        this.busy = false;
      }
    },
    async signOut(): Promise<void> {
      await teamSignOut();
      sessionStorage.clear();
      window.location.reload();
    },
  },
});
