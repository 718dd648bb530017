/**
 * Quality benchmark: the paper's ablation at small scale on the synthetic street data with a
 * fixed seed (bench/ablation.ts): mIoU of scratch, SDE transfer, multi-task,
 * multi-task + ClassMix, multi-task + DepthMix with a small label budget, and of the
 * fully supervised model on all labels; the ratio DepthMix / all labels (the paper: 0.92 on
 * Cityscapes with 1/30 of the labels); SDE depth errors against ground truth.
 *
 * node bin/run-ts.mjs bench/quality.ts [--quick] [--json] [--work DIR] [--fresh] [--real | --real-only]
 *   --quick: small images and few steps (under 10 minutes here); the full run takes hours.
 *   --work: where data and projects go (default: a folder in the OS temp dir); rerunning with
 *           the same folder resumes (finished configurations are read back, not retrained).
 *   --fresh: delete the work folder first.
 *   --real: also the real-data part where ../shared/data exists (bench/qualityReal.ts: SDE on
 *           the real Cityscapes snippets with disparity images saved, CamVid mIoU with 1/30 of
 *           the labels from scratch and from that SDE model); --real-only: only that part.
 * With --json, stdout is one JSON object:
 *   { miou: {scratch, transfer, multitask, classmix, depthmix, full} (0..100), ratio,
 *     depth: {absRel, rmse, a1}, budget, seconds, settings }.
 */
import { existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initEngine } from '../src/core/engine/backend';
import { ABLATION_CONFIGS, runAblation, type AblationSettings, type AblationResult } from './ablation';
import type { RunProgress } from '../src/core/project/runLoop';
import { runRealData, type RealDataResult } from './qualityReal';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const value = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const quick = flag('--quick');
const json = flag('--json');
const say = (line: string) => process.stderr.write(`${line}\n`);

const QUICK: Omit<AblationSettings, 'workDir'> = {
  sequences: 48,
  height: 32,
  width: 64,
  net: 'tiny',
  sdeSteps: 120,
  segSteps: 80,
  labelFraction: 1 / 12,
  minLabelled: 3,
  seed: 1,
  segLr: 1e-2,
  sdeLr: 1e-3,
};
const FULL: Omit<AblationSettings, 'workDir'> = {
  sequences: 120,
  height: 32,
  width: 64,
  net: 'small',
  sdeSteps: 600,
  segSteps: 200,
  labelFraction: 1 / 30,
  minLabelled: 4,
  seed: 1,
  segLr: 1e-2,
  sdeLr: 5e-4,
};

const preset = quick ? QUICK : FULL;
const workDir = path.resolve(value('--work') ?? path.join(os.tmpdir(), `depthseg-quality-${quick ? 'quick' : 'full'}`));
if (flag('--fresh')) rmSync(workDir, { recursive: true, force: true });
const engine = await initEngine({ log: say });
const t0 = performance.now();
let lastLine = 0;
/** One progress line per phase change and at most one every 10 s while training. */
const sayProgress = (phase: string, p: RunProgress): void => {
  const now = performance.now();
  if (p.phase !== 'training' || now - lastLine > 10000 || p.step === p.totalSteps) {
    lastLine = now;
    const eta = p.etaSeconds !== undefined ? ` eta ${Math.round(p.etaSeconds)}s` : '';
    say(`   ${phase} ${p.phase} ${p.step}/${p.totalSteps}${p.loss !== undefined ? ` loss ${p.loss.toFixed(4)}` : ''}${eta}`);
  }
};
const realOnly = flag('--real-only');
const shared = path.resolve('..', 'shared', 'data');
let real: RealDataResult | { skipped: string } | undefined;
if (flag('--real') || realOnly) {
  if (existsSync(shared)) real = await runRealData(shared, workDir, { quick, say, onProgress: sayProgress });
  else {
    real = { skipped: `${shared} not found: the real-data part needs ../shared/data` };
    say(real.skipped);
  }
}
const result: AblationResult | undefined = realOnly ? undefined : await runAblation(
  { ...preset, workDir },
  {
    onPhase: (p) => say(`== ${p}`),
    onProgress: sayProgress,
  },
);
const out = { ...(result ?? {}), ...(real ? { real } : {}), backend: engine.backend, wallSeconds: (performance.now() - t0) / 1000, workDir };
if (json) {
  process.stdout.write(`${JSON.stringify(out)}\n`);
} else if (!result) {
  console.log(JSON.stringify(real, null, 1));
} else {
  const f = (v: number | undefined) => (v === undefined ? '   -  ' : v.toFixed(1).padStart(6));
  console.log(`label budget: ${result.budget.labelled} of ${result.budget.trainKeyframes} training frames (${(result.budget.fraction * 100).toFixed(1)}%)`);
  console.log('config      mIoU');
  for (const c of ABLATION_CONFIGS) console.log(`${c.padEnd(10)} ${f(result.miou[c])}`);
  console.log(`ratio depthmix/full: ${result.ratio === null ? '-' : result.ratio.toFixed(3)}`);
  if (result.depth) console.log(`SDE depth: absRel ${result.depth.absRel.toFixed(3)}  rmse ${result.depth.rmse.toFixed(2)} m  a1 ${result.depth.a1.toFixed(3)}`);
  if (real) console.log(`real data: ${JSON.stringify(real)}`);
  console.log(`wall time ${Math.round(out.wallSeconds)} s on ${engine.backend}; work folder ${workDir}`);
}
