/**
 * Synthetic renderer benchmark: renders snippets at one or more sizes and reports frames per
 * second with and without PNG encoding + writing (the full generateSynthDataset path, into a
 * temp folder that is removed afterwards).
 *
 * node bin/run-ts.mjs bench/synth.ts [--frames N] [--sizes 128x256,256x512]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseSize } from '../src/core/data/imageIo';
import { createBuffers, createSequence, generateSynthDataset, renderFrame, SNIPPET_FRAMES, synthIntrinsics } from '../src/core/synth';

const args = process.argv.slice(2);
const value = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : dflt;
};
const frames = Number(value('--frames', '240'));
const sizes = value('--sizes', '128x256').split(',').map(parseSize);

const results = [];
for (const size of sizes) {
  const sequences = Math.max(1, Math.ceil(frames / SNIPPET_FRAMES));
  const k = synthIntrinsics(size);
  const buf = createBuffers(size.width, size.height);
  // warm-up, then render only
  renderFrame(createSequence(1, 0), 0, k, buf);
  const load0 = os.loadavg()[0]!;
  const r0 = performance.now();
  let buildMs = 0;
  for (let s = 0; s < sequences; s++) {
    const b0 = performance.now();
    const seq = createSequence(1, s);
    buildMs += performance.now() - b0;
    for (let f = 0; f < SNIPPET_FRAMES; f++) renderFrame(seq, f, k, buf);
  }
  const renderMs = performance.now() - r0;
  const dir = mkdtempSync(join(os.tmpdir(), 'synth-bench-'));
  const w0 = performance.now();
  await generateSynthDataset({ out: dir, sequences, size, seed: 1 });
  const totalMs = performance.now() - w0;
  rmSync(dir, { recursive: true, force: true });
  const n = sequences * SNIPPET_FRAMES;
  const load1 = os.loadavg()[0]!;
  results.push({
    size: `${size.height}x${size.width}`,
    frames: n,
    fps: Number(((n * 1000) / totalMs).toFixed(1)),
    renderFps: Number(((n * 1000) / renderMs).toFixed(1)),
    msPerFrame: Number((totalMs / n).toFixed(2)),
    renderMsPerFrame: Number((renderMs / n).toFixed(2)),
    sceneBuildMsPerSequence: Number((buildMs / sequences).toFixed(2)),
    filesPerFrame: 2 + 4 / SNIPPET_FRAMES,
    loadAverage1m: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
    mayBeUnderLoad: Math.max(load0, load1) > os.cpus().length * 0.5,
  });
}
console.log(JSON.stringify({ benchmark: 'synth', cpus: os.cpus().length, node: process.version, results }, null, 2));
