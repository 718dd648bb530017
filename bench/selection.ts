/**
 * Frame-selection benchmark (issue 5): mIoU of a segmentation model trained on the frames each
 * selection method picks (random, ds, us, ds_us, each averaged over 3 seeds) for a fixed budget on
 * synthetic data, and farthest-point selection time for 10k and 100k frames of features.
 * See bench/selectionBench.ts for what runs.
 *
 * node bin/run-ts.mjs bench/selection.ts [--json] [--quick] [--data DIR] [--work DIR]
 *   [--sequences N] [--size HxW] [--data-seed N] [--net tiny|small|reference] [--sde-steps N]
 *   [--sde-batch N] [--sde-frame-gap N] [--seg-steps N] [--seg-batch N] [--student-steps N] [--student-net P]
 *   [--budget N] [--seed N] [--seeds N] [--oracle] [--seg-mode M] [--timing-picks N] [--backend B] [--threads N]
 *   [--real [DIR]] [--seg-size HxW]
 *
 *   full (default): 1,200 sequences at 128x256 (900 train keyframes, 300 val), small nets,
 *                   SDE 2,000 steps (batch 4), segmentation 1,500 steps per method, student
 *                   500 steps, budget 1/30 of the train keyframes (30) in rounds 8 -> 15 -> 30.
 *                   Twelve segmentation trainings (4 methods x 3 seeds): a few hours
 *                   on 2 cores, far less with a native or GPU backend.
 *   --quick:        120 sequences at 64x128 (90 train keyframes, 30 val), tiny nets, SDE 100
 *                   steps (batch 2), segmentation 150 steps, student 30 steps, budget 12
 *                   (3 -> 6 -> 12): a smoke test of the whole path, its mIoUs are noise.
 *   --real [DIR]:   real streets instead (DIR default ../shared/data, read in place): the pool is
 *                   CamVid's 367 train images, val its 101; the SDE model (small, 64x128, bonnet
 *                   masked) is trained on the 6 real Cityscapes snippets, 1,000 steps, and selects
 *                   on CamVid across datasets; segmentation at --seg-size (default 96x128), 400
 *                   steps; budget 12 (1/30) in rounds 3 -> 6 -> 12. --sequences, --size,
 *                   --data-seed, --data, --sde-batch and --sde-frame-gap do not apply.
 * Segmentation: mode --seg-mode (default transfer, from the SDE weights; or scratch), no
 * mixing, the same settings for every method; seed k trains every method's model from the
 * same seed, so only the labelled frames differ within a seed.
 *   --oracle:       also a reference row, oracle_ds: farthest points on each frame's ground-truth
 *                   class layout (known only after labelling), with every seed: what diversity
 *                   can gain on this data at this budget.
 *   --seeds N:      seeds per method, --seed S (default 1) to S+N-1 (default 3); the first also
 *                   seeds the SDE training.
 *   --data DIR:     the synthetic dataset folder (generated there when missing, reused when it
 *                   holds one of the same settings); default a temp folder, removed afterwards.
 *   --work DIR:     keep the projects there (default a temp folder, removed afterwards).
 *   --timing-picks: frames picked from 10k and 100k random rows of the width of the default
 *                   (small) SDE net's selection features (512) for selectMs (default 100).
 * --json prints exactly one JSON object on stdout; progress goes to stderr.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { initEngine, parseBackendChoice, shutdownEngine } from '../src/core/engine/backend';
import { parseSize } from '../src/core/data/imageIo';
import { netPreset, type PresetName } from '../src/core/ml/nets';
import { runSelectionBenchmark, type SelectionBenchResult } from './selectionBench';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const str = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string, dflt: number): number => {
  const v = str(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer (got ${v})`);
  return n;
};
const json = flag('--json');
const quick = flag('--quick');
const real = flag('--real');
const realDir = real ? (str('--real') && !str('--real')!.startsWith('--') ? str('--real')! : join(process.cwd(), '..', 'shared', 'data')) : null;
const segMode = str('--seg-mode') ?? 'transfer';
if (segMode !== 'transfer' && segMode !== 'scratch') throw new Error(`--seg-mode must be transfer or scratch (got ${segMode})`);
const net = (str('--net') ?? (quick ? 'tiny' : 'small')) as PresetName;
netPreset(net); // a clear error for an unknown preset
if (real && net !== 'small') throw new Error(`--real trains the SDE model with the small net (got --net ${net})`);
const size = parseSize(str('--size') ?? (quick ? '64x128' : '128x256'));
const budgetFlag = str('--budget');

const engine = await initEngine({
  ...(str('--backend') ? { backend: parseBackendChoice(str('--backend')!, '--backend') } : {}),
  ...(str('--threads') ? { threads: num('--threads', 1) } : {}),
  log: (l) => process.stderr.write(`${l}\n`),
});

const temp = mkdtempSync(join(os.tmpdir(), 'selection-bench-'));
const load0 = os.loadavg()[0]!;
let result: SelectionBenchResult;
try {
  result = await runSelectionBenchmark({
    data: realDir
      ? { kind: 'camvid', sharedDir: realDir, segSize: parseSize(str('--seg-size') ?? '96x128') }
      : { kind: 'synthetic', dir: str('--data') ?? join(temp, 'synth'), sequences: num('--sequences', quick ? 120 : 1200), size, seed: num('--data-seed', 5) },
    workDir: str('--work') ?? join(temp, 'projects'),
    net,
    sdeSteps: num('--sde-steps', quick ? 100 : real ? 1000 : 2000),
    sdeBatch: num('--sde-batch', quick ? 2 : 4),
    sdeFrameGap: num('--sde-frame-gap', 1),
    segSteps: num('--seg-steps', quick ? 150 : real ? 400 : 1500),
    segBatch: num('--seg-batch', 2),
    segMode,
    segMix: 'none',
    studentSteps: num('--student-steps', quick ? 30 : 500),
    studentNet: (str('--student-net') ?? net) as PresetName,
    ...(budgetFlag !== undefined ? { budget: num('--budget', 1) } : quick || real ? { budget: 12 } : {}),
    seeds: Array.from({ length: num('--seeds', 3) }, (_, i) => num('--seed', 1) + i),
    oracle: flag('--oracle'),
    timingPicks: num('--timing-picks', 100),
    timingRows: [10_000, 100_000],
    log: (l) => process.stderr.write(`[selection] ${l}\n`),
  });
} finally {
  rmSync(temp, { recursive: true, force: true });
  shutdownEngine();
}
const load1 = os.loadavg()[0]!;
const out = {
  ...result,
  quick,
  backend: engine.backend,
  threads: engine.threads,
  cpus: os.cpus().length,
  node: process.version,
  loadAverage1m: [Number(load0.toFixed(2)), Number(load1.toFixed(2))],
};

if (json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else {
  const rows = (['random', 'ds', 'us', 'ds_us'] as const).map((m) => {
    const c = result.coverage[m];
    const vs = m === 'random' ? '' : `${result.overRandom[m] >= 0 ? '+' : ''}${result.overRandom[m].toFixed(2)} ± ${result.overRandomSe[m].toFixed(2)}`;
    const seeds = result.bySeed[m].map((v) => v.toFixed(1)).join(' / ');
    return `| ${m.padEnd(6)} | ${result.miou[m].toFixed(2).padStart(6)} | ${seeds.padStart(18)} | ${vs.padStart(13)} | ${c.mean.toFixed(2).padStart(13)} | ${c.max.toFixed(2).padStart(12)} |`;
  });
  console.log(
    [
      `Selection benchmark${quick ? ' (--quick)' : ''} on ${result.data.kind}: budget ${result.budget} of ${result.data.trainKeyframes} train keyframes ` +
        `(${(100 * result.budgetFraction).toFixed(1)}%), rounds ${result.rounds.join(' -> ')}, ${result.data.valKeyframes} val frames at ${result.data.size}`,
      `SDE ${result.sde.net} ${result.sde.steps} steps; segmentation ${result.segmentation.mode}/${result.segmentation.mix} ${result.segmentation.steps} steps; student ${result.student.steps} steps`,
      '',
      '| method | mIoU   | per seed           | vs random     | coverage mean | coverage max |',
      '| ------ | ------ | ------------------ | ------------- | ------------- | ------------ |',
      ...rows,
      ...(result.oracle
        ? [
            `| oracle | ${result.oracle.miou.toFixed(2).padStart(6)} | ${result.oracle.bySeed.map((v) => v.toFixed(1)).join(' / ').padStart(18)} | ${`${result.oracle.overRandom >= 0 ? '+' : ''}${result.oracle.overRandom.toFixed(2)} ± ${result.oracle.overRandomSe.toFixed(2)}`.padStart(13)} | (farthest points on ground-truth class layouts) |`,
          ]
        : []),
      `mIoU: mean over seeds ${result.seeds.join(', ')}; vs random: mean of the per-seed differences ± its standard error. ` +
        'Coverage: distance of the train keyframes to their nearest pick in standardised SDE features (lower = covered better).',
      '',
      `farthest point, ${result.timing.picks} picks x ${result.timing.dims} dims: ` + Object.entries(result.selectMs).map(([k, v]) => `${k} rows ${v} ms`).join(', '),
      `total ${result.totalSeconds} s on ${out.backend} (${out.threads} threads), load ${out.loadAverage1m.join(' -> ')}`,
    ].join('\n'),
  );
}
