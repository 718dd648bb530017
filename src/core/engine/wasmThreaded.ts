/**
 * Loads tfjs-backend-wasm's threaded-SIMD build under Node, which the package itself never does
 * (its WASM_HAS_MULTITHREAD_SUPPORT flag is false under Node and its pthread workers are Blob
 * URLs Node cannot start). Two more fixes make XNNPACK use every core:
 * - the pthread entry is a real file (wasmPthreadWorker.cjs) that runs the package's worker code;
 * - the C++ side caps threads at emscripten_num_logical_cores() / 2 (it assumes hyper-threading),
 *   read once when the module starts. The import behind that call is replaced so that the cap
 *   becomes the thread count asked for.
 * The pthread workers are unref'd so that they do not keep Node alive; removing the backend
 * (shutdownEngine) terminates them.
 */
import { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unpackedPath } from '../asarPath';

// Not named `require`: the bundler's ESM shim declares that name in the Electron main bundle.
const requireCjs = createRequire(import.meta.url);

/**
 * The tfjs-backend-wasm package folder: its .wasm binaries and the threaded build's scripts,
 * which the pthreads read from disk (in a packaged app, its unpacked copy beside app.asar).
 */
export function wasmPackageDir(): string {
  return unpackedPath(path.dirname(requireCjs.resolve('@tensorflow/tfjs-backend-wasm/package.json')));
}

/** The part of the WebAssembly global used here (the project's lib settings do not declare it). */
const wasmApi = (
  globalThis as unknown as {
    WebAssembly: { instantiate(bytes: Uint8Array, imports: unknown): Promise<{ instance: unknown; module: unknown }> };
  }
).WebAssembly;

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: number[]) => number;
  PThread?: { unusedWorkers: Array<{ unref(): void }>; runningWorkers: Array<{ unref(): void }> };
  tfjs?: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

export interface ThreadedWasm {
  backend: BackendWasm;
  /** False when the core-count import was not found: the C++ cap (cores / 2) still applies. */
  capLifted: boolean;
}

/**
 * Instantiates the threaded-SIMD module and wraps it in a BackendWasm. `threads` must also be
 * given to setThreadsCount before this (BackendWasm's constructor reads it).
 */
export async function createThreadedWasmBackend(threads: number): Promise<ThreadedWasm> {
  const dir = wasmPackageDir();
  const factory = requireCjs(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js')) as Factory;
  const wasmFile = path.join(dir, 'dist', 'tfjs-backend-wasm-threaded-simd.wasm');
  // A real file even in a packaged app: the pthreads start from it and require from beside it.
  const workerFile = unpackedPath(fileURLToPath(new URL('./wasmPthreadWorker.cjs', import.meta.url)));
  let capLifted = false;
  let failInstantiate: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    failInstantiate = reject;
  });
  const module = await Promise.race([
    factory({
      locateFile: (p: string) => (p.endsWith('.worker.js') ? workerFile : p.endsWith('.wasm') ? wasmFile : p),
      instantiateWasm(
        imports: { env: Record<string, unknown> },
        receive: (instance: unknown, module: unknown) => void,
      ) {
        for (const [key, fn] of Object.entries(imports.env)) {
          if (typeof fn === 'function' && /cpus\(\)\.length|hardwareConcurrency/.test(String(fn))) {
            // num_cores = emscripten_num_logical_cores() / 2 in the C++ init.
            imports.env[key] = () => 2 * threads;
            capLifted = true;
          }
        }
        wasmApi.instantiate(readFileSync(wasmFile), imports).then(
          (r) => receive(r.instance, r.module),
          (e: unknown) => failInstantiate(e),
        );
        return {};
      },
    }),
    failed,
  ]);
  const voidType = null;
  module.tfjs = {
    init: module.cwrap('init', voidType, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', voidType, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', voidType, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', voidType, ['number']),
    dispose: module.cwrap('dispose', voidType, []),
  };
  // BackendWasm's constructor creates the XNNPACK thread pool (pthreads from the pool of 8).
  const backend = new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
  for (const w of [...(module.PThread?.unusedWorkers ?? []), ...(module.PThread?.runningWorkers ?? [])]) w.unref();
  return { backend, capLifted };
}
