import vue from '@vitejs/plugin-vue';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two test files at a time, also on CI's 2 cores (Vitest's default there is one): most
    // files wait on SQLite, child processes or the file system, so the suite's wall time nearly
    // halves while the few training files share the cores.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        // Core, CLI, host, store, ML and the renderer's plain TypeScript: Node.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/components/**'],
          environment: 'node',
        },
      },
      {
        // Vue components mounted with @vue/test-utils: a DOM (jsdom) and the .vue compiler.
        extends: true,
        plugins: [vue()],
        test: {
          name: 'components',
          include: ['test/components/**/*.test.ts'],
          environment: 'jsdom',
        },
      },
    ],
  },
});
