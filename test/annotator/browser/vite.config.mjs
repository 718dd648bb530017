// Builds the annotator browser harness into .tmp/annotator-harness (git-ignored).
import { resolve } from 'node:path';
import vue from '@vitejs/plugin-vue';

const here = import.meta.dirname;
export default {
  root: here,
  plugins: [vue()],
  logLevel: 'warn',
  build: { outDir: resolve(here, '../../../.tmp/annotator-harness'), emptyOutDir: true },
};
