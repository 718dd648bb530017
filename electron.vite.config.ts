import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import vue from '@vitejs/plugin-vue';

/**
 * The wasm engine starts its pthreads from wasmPthreadWorker.cjs beside the module that loads
 * it (src/core/engine): in the bundle that is out/main, where this copies it.
 */
function wasmPthreadWorker(): Plugin {
  return {
    name: 'depthseg-wasm-pthread-worker',
    generateBundle() {
      const file = resolve(__dirname, 'src/core/engine/wasmPthreadWorker.cjs');
      this.emitFile({ type: 'asset', fileName: 'wasmPthreadWorker.cjs', source: readFileSync(file, 'utf8') });
    },
  };
}

export default defineConfig({
  main: {
    build: {
      // The training worker is its own entry: the main process starts it in a worker thread.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          trainingWorker: resolve(__dirname, 'src/core/jobs/trainingWorker.ts'),
        },
        // Shared code beside the entries (not in chunks/), so paths relative to a module hold.
        output: { chunkFileNames: '[name]-[hash].js' },
      },
    },
    plugins: [wasmPthreadWorker()],
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
