/**
 * Child process for the crash tests: writes a complete checkpoint (step 1), then starts
 * replacing it with step 2 and stops half way (a network whose save never finishes), printing
 * `mid-write` so the test can kill it exactly there.
 * usage: node bin/run-ts.mjs test/reliability/scripts/checkpointHang.ts CHECKPOINT_DIR [fresh]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { initEngine } from '../../../src/core/engine/backend';
import { writeCheckpoint } from '../../../src/core/ml/train/checkpoint';

const [dir, mode] = process.argv.slice(2);
await initEngine({ backend: 'cpu', log: () => undefined });
const net = (): tfl.LayersModel => {
  const m = tfl.sequential();
  m.add(tfl.layers.dense({ inputShape: [4], units: 3 }));
  return m;
};
const optimiser = { 'adam/m': tf.ones([3]) };
if (mode !== 'fresh') {
  await writeCheckpoint(dir!, { model: net() }, optimiser, { step: 1 });
  process.stdout.write('complete 1\n');
}
setInterval(() => undefined, 1000); // keep the process alive while the save hangs
const hanging = {
  save: () =>
    new Promise(() => {
      process.stdout.write('mid-write\n');
    }),
} as unknown as tfl.LayersModel;
await writeCheckpoint(dir!, { model: net(), pose: hanging }, optimiser, { step: 2 });
process.stdout.write('not reached\n');
