import vue from '@vitejs/plugin-vue';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Three test files at a time, also on CI's 2 cores (Vitest's default there is one): most
    // files wait on SQLite, PostgreSQL servers they start, child processes or the file system,
    // so the suite's wall time drops while the few training files share the cores (measured
    // 2026-12-03 at idle: 1064 s with two, 981 s with three, all passing). The two heaviest
    // training tests have timeouts sized for sharing the cores.
    maxWorkers: 3,
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
