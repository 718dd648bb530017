// Entry of a training worker thread: TypeScript through tsx (as bin/depthseg.mjs does), then
// the worker body.
import { register } from 'tsx/esm/api';

register();
await import('./trainingWorker.ts');
