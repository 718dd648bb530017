import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * Worker scripts the core starts from a path beside its own modules, placed beside them in
 * the bundle (out/main) too:
 * - the wasm engine's pthreads start from wasmPthreadWorker.cjs (src/core/engine);
 * - a training job's thread starts from workerEntry.mjs (src/core/jobs, where it runs the
 *   TypeScript worker through tsx); in the bundle it runs the built trainingWorker entry.
 */
function workerScripts(): Plugin {
  return {
    name: 'depthseg-worker-scripts',
    generateBundle() {
      const file = resolve(__dirname, 'src/core/engine/wasmPthreadWorker.cjs');
      this.emitFile({ type: 'asset', fileName: 'wasmPthreadWorker.cjs', source: readFileSync(file, 'utf8') });
      this.emitFile({
        type: 'asset',
        fileName: 'workerEntry.mjs',
        source: "// Entry of a training worker thread in the built app: the bundled worker body.\nimport './trainingWorker.js';\n",
      });
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // The training worker is its own entry: the core starts it in a worker thread (through
      // workerEntry.mjs, see workerScripts).
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          trainingWorker: resolve(__dirname, 'src/core/jobs/trainingWorker.ts'),
        },
        // Shared code beside the entries (not in chunks/), so paths relative to a module hold.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
    plugins: [workerScripts()],
  },
  preload: {
    build: {
      // Sandboxed preloads must be CommonJS.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [vue()],
  },
});
