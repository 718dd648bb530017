/**
 * Quality benchmark (issue 17's protocol): does self-supervised depth make few-label
 * segmentation better? Every row of the paper's ablation (scratch, SDE transfer, multi-task,
 * + ClassMix, + DepthMix, all labels) and the rows the experiments add, each trained with the
 * same seeds on the same labelled frames per seed; reported as mean +- sd over the seeds and
 * as the paired difference to scratch with its standard error (bench/qualityProtocol.ts).
 *
 * node bin/run-ts.mjs bench/quality.ts [--quick] [--json] [--work DIR] [--fresh] [--real | --real-only]
 *                     [--seeds N] [--rows a,b,..] [--seg-steps N] [--sde-steps N] [--long-sde-steps N] [--size HxW]
 *                     [--net N (SDE and segmentation)] [--sequences N (synthetic sequences generated)]
 *   --quick: the smoke preset (minutes; its numbers show the loop works, not what wins).
 *   --rows: which rows (default: the ablation's; `--rows list` prints the catalogue).
 *   --real: also real data where ../shared/data exists: CamVid with 1/30 of its labels, the
 *           SDE model trained on the 6 real Cityscapes snippets (CamVid has no video, so no
 *           multi-task rows there); --real-only: only that part; --real-net (small), --real-sde-steps
 *           (1000) and --real-seg-steps (800) size it.
 * With --json, stdout is one JSON object: { miou: {row}, sd: {row}, paired: {row: {diff, se,
 * better}}, seeds, rows: {row: {perSeed, collapsed, curve}}, depth, budget, settings, real? }.
 * Results with their dates and commands: docs/results/.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { initProject } from '../src/core/project/initProject';
import { openProject } from '../src/core/project/openProject';
import type { RunProgress } from '../src/core/project/runLoop';
import { trainSde } from '../src/core/project/trainSde';
import type { SdeSettings, SegSettings } from '../src/core/settings';
import { latestCheckpoint, listRuns } from '../src/core/store';
import { generateSynthDataset } from '../src/core/synth/generate';
import { cityscapesSde } from './qualityReal';
import { runProtocol, type BaseProject, type ProtocolResult, type RowSpec } from './qualityProtocol';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const say = (line: string) => process.stderr.write(`${line}\n`);
const quick = flag('--quick');
const json = flag('--json');

/** The rows the experiments can run: a segmentation row is its settings and the SDE variant it starts from. */
const CATALOGUE: Record<string, RowSpec> = {
  scratch: { base: 'sde', seg: { mode: 'scratch', mix: 'none' } },
  transfer: { base: 'sde', seg: { mode: 'transfer', mix: 'none' } },
  multitask: { base: 'sde', seg: { mode: 'multitask', mix: 'none' } },
  classmix: { base: 'sde', seg: { mode: 'multitask', mix: 'classmix' } },
  depthmix: { base: 'sde', seg: { mode: 'multitask', mix: 'depthmix' } },
  full: { base: 'sde', seg: { mode: 'transfer', mix: 'none' }, labels: 'all' },
  'full-scratch': { base: 'sde', seg: { mode: 'scratch', mix: 'none' }, labels: 'all' },
  // (a) encoder learning rate
  'transfer-enclr1': { base: 'sde', seg: { mode: 'transfer', mix: 'none', encoderLrScale: 1 } },
  // (c) what is transferred, batch-norm statistics
  'transfer-enc': { base: 'sde', seg: { mode: 'transfer', mix: 'none', transfer: 'encoder' } },
  'transfer-enc-enclr1': { base: 'sde', seg: { mode: 'transfer', mix: 'none', transfer: 'encoder', encoderLrScale: 1 } },
  'transfer-bn': { base: 'sde', seg: { mode: 'transfer', mix: 'none', resetBatchNorm: true } },
  'multitask-enc': { base: 'sde', seg: { mode: 'multitask', mix: 'none', transfer: 'encoder' } },
  'depthmix-enc': { base: 'sde', seg: { mode: 'multitask', mix: 'depthmix', transfer: 'encoder' } },
  // (e) multi-task loss weights
  'multitask-sdew0.1': { base: 'sde', seg: { mode: 'multitask', mix: 'none', sdeWeight: 0.1 } },
  'multitask-sdew0.3': { base: 'sde', seg: { mode: 'multitask', mix: 'none', sdeWeight: 0.3 } },
  'multitask-sdew0': { base: 'sde', seg: { mode: 'multitask', mix: 'none', sdeWeight: 0 } },
  'multitask-noclip': { base: 'sde', seg: { mode: 'multitask', mix: 'none', clipNorm: 1e6 } },
  // (f) mixing without SDE initialisation
  'scratch-depthmix': { base: 'sde', seg: { mode: 'scratch', mix: 'depthmix' } },
  'scratch-classmix': { base: 'sde', seg: { mode: 'scratch', mix: 'classmix' } },
  'transfer-depthmix': { base: 'sde', seg: { mode: 'transfer', mix: 'depthmix' } },
  // (b) a longer SDE run
  'transfer@long': { base: 'sde-long', seg: { mode: 'transfer', mix: 'none' } },
  'transfer-enc@long': { base: 'sde-long', seg: { mode: 'transfer', mix: 'none', transfer: 'encoder' } },
  'depthmix@long': { base: 'sde-long', seg: { mode: 'multitask', mix: 'depthmix' } },
};
const ABLATION = ['scratch', 'transfer', 'multitask', 'classmix', 'depthmix', 'full'];
if (value('--rows') === 'list') {
  for (const [k, r] of Object.entries(CATALOGUE)) console.log(`${k.padEnd(22)} ${r.base.padEnd(9)} ${JSON.stringify(r.seg)}${r.labels === 'all' ? ' (all labels)' : ''}`);
  process.exit(0);
}

interface Preset {
  sequences: number;
  height: number;
  width: number;
  sde: Partial<SdeSettings>;
  /** SDE steps of the 'sde-long' variant. */
  longSdeSteps: number;
  seg: Partial<SegSettings>;
  evalEvery: number;
  seeds: number;
  labelFraction: number;
  minLabelled: number;
}
/** Only what differs from the declared defaults (src/core/settings). */
const PRESETS: Record<'quick' | 'full', Preset> = {
  quick: { sequences: 48, height: 32, width: 64, sde: { net: 'tiny', steps: 120 }, longSdeSteps: 360, seg: { net: 'tiny', steps: 80 }, evalEvery: 20, seeds: 3, labelFraction: 1 / 12, minLabelled: 3 },
  full: { sequences: 120, height: 32, width: 64, sde: { steps: 600, lr: 5e-4 }, longSdeSteps: 3000, seg: { steps: 800 }, evalEvery: 100, seeds: 3, labelFraction: 1 / 30, minLabelled: 4 },
};
const preset = PRESETS[quick ? 'quick' : 'full'];
const size = value('--size')?.split('x').map(Number);
const height = size?.[0] ?? preset.height;
const width = size?.[1] ?? preset.width;
const seeds = Array.from({ length: Number(value('--seeds') ?? preset.seeds) }, (_, i) => i + 1);
const sequences = Number(value('--sequences') ?? preset.sequences);
const segSteps = Number(value('--seg-steps') ?? preset.seg.steps);
const sdeSteps = Number(value('--sde-steps') ?? preset.sde.steps);
const net = (value('--net') ?? preset.seg.net) as SegSettings['net'] | undefined;
const rowNames = value('--rows')?.split(',') ?? ABLATION;
for (const r of rowNames) if (!CATALOGUE[r]) throw new Error(`--rows: unknown row '${r}' (--rows list shows them)`);
const workDir = path.resolve(value('--work') ?? path.join(os.tmpdir(), `depthseg-quality-${quick ? 'quick' : 'full'}`));
if (flag('--fresh')) rmSync(workDir, { recursive: true, force: true });
mkdirSync(workDir, { recursive: true });

const engine = await initEngine({ log: say });
const t0 = performance.now();
let lastLine = 0;
const sayProgress = (phase: string, p: RunProgress): void => {
  const now = performance.now();
  if (p.phase !== 'training' || now - lastLine > 15000 || p.step === p.totalSteps) {
    lastLine = now;
    say(`   ${phase} ${p.phase} ${p.step}/${p.totalSteps}${p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : ''}${p.etaSeconds !== undefined ? ` eta ${Math.round(p.etaSeconds)}s` : ''}`);
  }
};

/** A base project on `data` with a finished SDE run of these settings (trained once, resumed if it paused). */
async function sdeBase(name: string, data: string, sde: Partial<SdeSettings>): Promise<BaseProject> {
  const dir = path.join(workDir, 'bases', name);
  const p = existsSync(path.join(dir, 'project.sqlite')) ? await openProject(dir) : (await initProject({ dir, dataset: data })).open;
  try {
    let run = (await listRuns(p.store, p.project.id, 'sde')).find((r) => r.status === 'done');
    if (!run) {
      const paused = (await listRuns(p.store, p.project.id, 'sde')).find((r) => r.status === 'paused');
      say(`== SDE ${name}: ${JSON.stringify(sde)}`);
      const out = await trainSde(p, sde, { ...(paused ? { resume: paused.id } : {}), onProgress: (x) => sayProgress(`sde ${name}`, x) });
      if (out.status !== 'done') throw new Error(`SDE ${name}: ${out.status} ${out.error ?? ''}`);
      run = out.run;
    }
    const m = (await latestCheckpoint(p.store, run.id))?.metrics ?? {};
    const depth = Object.fromEntries(['absRel', 'sqRel', 'rmse', 'a1'].filter((k) => typeof m[k] === 'number').map((k) => [k, m[k] as number]));
    return { dir, depth };
  } finally {
    await p.close();
  }
}

const common: Partial<SegSettings> = { ...preset.seg, ...(net ? { net } : {}), height, width, steps: segSteps };
let synthetic: ProtocolResult | undefined;
if (!flag('--real-only')) {
  const data = path.join(workDir, 'data');
  if (!existsSync(path.join(data, 'synth.json'))) {
    say(`== generating ${sequences} synthetic sequences at ${height}x${width}`);
    await generateSynthDataset({ out: data, sequences, size: { height, width }, seed: 1 });
  }
  const sde = { ...preset.sde, ...(net ? { net } : {}), height, width, steps: sdeSteps };
  const bases: Record<string, BaseProject> = { sde: await sdeBase('sde', data, sde) };
  if (rowNames.some((r) => CATALOGUE[r]!.base === 'sde-long')) bases['sde-long'] = await sdeBase('sde-long', data, { ...sde, steps: Number(value('--long-sde-steps') ?? preset.longSdeSteps) });
  synthetic = await runProtocol({
    workDir,
    bases,
    rows: Object.fromEntries(rowNames.map((r) => [r, CATALOGUE[r]!])),
    common,
    seeds,
    budget: (n) => Math.max(preset.minLabelled, Math.round(n * preset.labelFraction)),
    evalEvery: Math.min(preset.evalEvery, segSteps),
    reference: 'scratch',
    onPhase: say,
    onProgress: (row, seed, p) => sayProgress(`${row}#${seed}`, p),
  });
}

let real: ProtocolResult | { skipped: string } | undefined;
if (flag('--real') || flag('--real-only')) {
  const shared = path.resolve('..', 'shared', 'data');
  if (!existsSync(shared)) real = { skipped: `${shared} not found: the real-data part needs ../shared/data` };
  else {
    const realWork = path.join(workDir, 'real');
    mkdirSync(realWork, { recursive: true });
    const realNet = (value('--real-net') ?? 'small') as SegSettings['net'];
    const city = await cityscapesSde(shared, path.join(realWork, 'city'), { steps: quick ? 60 : Number(value('--real-sde-steps') ?? 1000), net: realNet, say, onProgress: (p) => sayProgress('real SDE', p) });
    const sdeCheckpoint = city.checkpointDir;
    await city.open.close();
    const camvidDir = path.join(realWork, 'camvid-base');
    if (!existsSync(path.join(camvidDir, 'project.sqlite'))) await (await initProject({ dir: camvidDir, dataset: path.join(shared, 'camvid'), format: 'camvid' })).open.close();
    // CamVid has no video: the multi-task rows (which keep training depth on neighbouring frames) cannot run there.
    const realRows = rowNames.filter((r) => CATALOGUE[r]!.seg.mode !== 'multitask');
    real = await runProtocol({
      workDir: realWork,
      bases: { sde: { dir: camvidDir, sdeCheckpoint }, 'sde-long': { dir: camvidDir, sdeCheckpoint } },
      rows: Object.fromEntries(realRows.map((r) => [r, CATALOGUE[r]!])),
      common: { net: realNet, height: 96, width: 128, steps: quick ? 60 : Number(value('--real-seg-steps') ?? 800) },
      seeds,
      budget: (n) => Math.max(4, Math.round(n / 30)),
      evalEvery: quick ? 20 : 100,
      reference: 'scratch',
      onPhase: say,
      onProgress: (row, seed, p) => sayProgress(`camvid ${row}#${seed}`, p),
    });
  }
}

const out = {
  ...(synthetic ?? {}),
  ...(real ? { real } : {}),
  settings: { preset: quick ? 'quick' : 'full', sequences, height, width, sdeSteps, segSteps, rows: rowNames, common },
  backend: engine.backend,
  wallSeconds: (performance.now() - t0) / 1000,
  workDir,
};
if (json) process.stdout.write(`${JSON.stringify(out)}\n`);
else {
  const table = (r: ProtocolResult, title: string) => {
    console.log(`${title}: ${r.budget.labelled} of ${r.budget.trainKeyframes} training frames labelled; seeds ${r.seeds.join(', ')}`);
    console.log(`${'row'.padEnd(22)} ${'mIoU'.padStart(6)} ${'sd'.padStart(5)}  ${'vs scratch'.padStart(14)}  collapsed  per seed`);
    for (const [name, row] of Object.entries(r.rows)) {
      const p = r.paired[name];
      const vs = p ? `${p.diff >= 0 ? '+' : ''}${p.diff.toFixed(2)} +- ${p.se.toFixed(2)}` : '';
      console.log(`${name.padEnd(22)} ${row.mean.toFixed(2).padStart(6)} ${row.sd.toFixed(2).padStart(5)}  ${vs.padStart(14)}  ${String(row.collapsed).padStart(9)}  ${row.perSeed.map((v) => v.toFixed(1)).join(' / ')}`);
    }
    for (const [k, d] of Object.entries(r.depth)) if (d && Object.keys(d).length) console.log(`SDE ${k}: ${Object.entries(d).map(([a, b]) => `${a} ${b.toFixed(3)}`).join('  ')}`);
  };
  if (synthetic) table(synthetic, 'synthetic');
  if (real && 'rows' in real) table(real, 'real CamVid');
  else if (real) console.log(real.skipped);
  console.log(`wall time ${Math.round(out.wallSeconds)} s on ${engine.backend}; work folder ${workDir}`);
}
