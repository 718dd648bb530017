/**
 * A small in-memory stand-in for the workbench core, speaking the renderer's typed bridge
 * (DepthsegBridge). The renderer takes `window.depthseg` as its bridge when it is set (that is
 * where Electron's preload puts the real one), so a component test installs this there and
 * answers only the calls its component makes; any other call fails the test loudly.
 *
 * Honest at the boundary: every call is checked against the contract's schema first, as the
 * main process and the host do (validateCall), so a store that leaves out the projectId or
 * sends a setting out of range fails here as it would against the core. `calls` records what
 * the UI sent (params as given, before the schema's defaults).
 */
import {
  validateCall,
  type ApiEvent,
  type ApiEvents,
  type ApiMethod,
  type ApiParams,
  type ApiResults,
  type DepthsegBridge,
} from '../../src/core/api/contract';
import { flushPromises } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';

export type Handlers = { [M in ApiMethod]?: (params: ApiParams<M>) => ApiResults[M] | Promise<ApiResults[M]> };

export interface Call {
  readonly method: ApiMethod;
  readonly params: unknown;
}

export class FakeApi implements DepthsegBridge {
  handlers: Handlers = {};
  readonly calls: Call[] = [];
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResults[M]> {
    this.calls.push({ method, params: structuredClone(params) });
    const checked = validateCall(method, params).params as ApiParams<M>;
    const h = this.handlers[method] as ((p: ApiParams<M>) => ApiResults[M] | Promise<ApiResults[M]>) | undefined;
    if (!h) throw new Error(`the fake API has no answer for ${method}`);
    return h(checked);
  }

  on<E extends ApiEvent>(event: E, listener: (payload: ApiEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(listener as (payload: unknown) => void);
    this.listeners.set(event, set);
    return () => set.delete(listener as (payload: unknown) => void);
  }

  /** Pushes an event to the subscribed UI, as the core does. */
  emit<E extends ApiEvent>(event: E, payload: ApiEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) l(payload);
  }

  /** The params of every call of `method`, in order (as sent). */
  paramsOf<M extends ApiMethod>(method: M): ApiParams<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params as ApiParams<M>);
  }

  /** The params of every call of `method` without the window's projectId (what most tests compare). */
  sentOf<M extends ApiMethod>(method: M): Omit<ApiParams<M>, 'projectId'>[] {
    return this.paramsOf(method).map((p) => {
      const { projectId: _id, ...rest } = p as ApiParams<M> & { projectId?: number };
      return rest as Omit<ApiParams<M>, 'projectId'>;
    });
  }

  reset(handlers: Handlers): void {
    this.handlers = handlers;
    this.calls.length = 0;
  }
}

/**
 * The fake every store of this test file talks to. The renderer keeps the first bridge it
 * finds for the life of the module, so one file has one fake; reset() gives each test its
 * own answers.
 */
export function installFakeApi(): FakeApi {
  const fake = new FakeApi();
  window.depthseg = fake;
  return fake;
}

/** A new, active Pinia over an empty sessionStorage: each test's stores start from nothing. */
export function freshPinia(): Pinia {
  sessionStorage.clear();
  const pinia = createPinia();
  setActivePinia(pinia);
  return pinia;
}

/** Lets every pending API answer and the re-render after it happen. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await flushPromises();
}
