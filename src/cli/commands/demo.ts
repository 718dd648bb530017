import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DataError, UsageError, errorMessage } from '../../core/errors';
import type { DemoEvent, DemoPreset, DemoStage } from '../../core/workflows/demo';
import type { AblationInput } from '../../core/report/projectReport';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { ENGINE_FLAGS, ENGINE_USAGE, engineOptions } from '../engineFlags';
import { createProgress, formatDuration, type ProgressReporter } from '../progress';
import { EXIT_INTERRUPTED, interruptOnCtrlC, runProgressPrinter } from '../trainRun';

/** Tests only: the smallest settings that still run every stage (seconds, not minutes). */
export const DEMO_TINY_ENV = 'DEPTHSEG_DEMO_TINY';

const STAGES: readonly DemoStage[] = ['synth', 'init', 'sde', 'select', 'label', 'seg', 'eval', 'report'];

function readAblation(path: string): AblationInput {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError(`--ablation ${file}: no such file`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DataError(file, `not JSON: ${errorMessage(e)}`);
  }
  const miou = (raw as { miou?: unknown })?.miou;
  if (typeof miou !== 'object' || miou === null) throw new DataError(file, 'expected {"miou": {"scratch": 20.1, "transfer": ..., "full": ...}}');
  for (const [k, v] of Object.entries(miou)) {
    if (v !== null && typeof v !== 'number') throw new DataError(file, `miou.${k} must be a number (mIoU in %) or null`);
  }
  const caption = (raw as { caption?: unknown }).caption;
  return { miou: miou as AblationInput['miou'], ...(typeof caption === 'string' ? { caption } : {}) };
}

export const demoCommand: CliCommand = {
  name: 'demo',
  usage: `depthseg demo [--out DIR] [--quick] [--ablation FILE] [--json]

The whole loop on generated data, in one folder: synthetic street video -> a project ->
self-supervised depth -> selection of the frames worth labelling (diversity + depth
uncertainty, in rounds) -> a stand-in annotator labels them from the synthetic ground truth
-> multi-task segmentation with DepthMix -> evaluation -> DIR/report.html and DIR/metrics.json.
Ctrl-C pauses (the training run in progress keeps a checkpoint); the same command again
continues where it stopped (exit code 130 when paused).
  --out DIR        the demo folder (default ./depthseg-demo)
  --quick          small images, tiny networks, short training: minutes on a 2-core CPU
                   (default: larger images and networks, longer training, about an hour there)
  --ablation FILE  JSON {"miou": {"scratch": .., "transfer": .., "multitask": .., "classmix": ..,
                   "depthmix": .., "full": ..}, "caption": ".."} from an ablation run, shown in the report
  --json           print the outcome as one JSON object
${ENGINE_USAGE}`,
  async run(argv) {
    const { flags } = parseArgs(argv, { out: 'string', quick: 'boolean', ablation: 'string', json: 'boolean', ...ENGINE_FLAGS });
    const out = resolve(flags.out ?? 'depthseg-demo');
    const preset: DemoPreset = process.env[DEMO_TINY_ENV] === '1' ? 'tiny' : flags.quick ? 'quick' : 'full';
    const ablation = flags.ablation ? readAblation(flags.ablation) : undefined;
    const quiet = flags.json === true;
    const again = `depthseg demo --out ${out}${flags.quick ? ' --quick' : ''}`;
    const engine = engineOptions(flags);
    const { initEngine, shutdownEngine } = await import('../../core/engine/backend');
    const { runDemo } = await import('../../core/workflows/demo');
    const err = process.stderr;
    const say = (line: string) => {
      if (!quiet) err.write(`${line}\n`);
    };

    let bar: { key: string; reporter: ProgressReporter } | null = null;
    let runBar: { stage: string; printer: ReturnType<typeof runProgressPrinter> } | null = null;
    const closeBars = () => {
      bar?.reporter.finish();
      bar = null;
      runBar?.printer.finish();
      runBar = null;
    };
    const onEvent = (e: DemoEvent) => {
      if (e.type === 'stage') {
        closeBars();
        say(`demo [${STAGES.indexOf(e.stage) + 1}/${STAGES.length}] ${e.message}`);
      } else if (e.type === 'progress') {
        if (bar?.key !== e.label) {
          closeBars();
          bar = { key: e.label, reporter: createProgress(`  ${e.label}`, e.total, { quiet }) };
        }
        bar.reporter.update(e.done, e.loss !== undefined ? { loss: e.loss } : undefined);
      } else {
        if (runBar?.stage !== e.stage) {
          closeBars();
          runBar = { stage: e.stage, printer: runProgressPrinter(`  train-${e.stage}`, { quiet }) };
        }
        runBar.printer.onProgress(e.progress);
      }
    };

    const interrupt = interruptOnCtrlC('demo');
    const t0 = performance.now();
    try {
      await initEngine({ ...engine });
      say(`demo: ${preset} settings in ${out}`);
      const outcome = await runDemo({ out, preset, signal: interrupt.signal, onEvent, ...(ablation ? { ablation } : {}) });
      closeBars();
      const seconds = (performance.now() - t0) / 1000;
      if (outcome.status === 'paused') {
        printResult(quiet, { ...outcome, seconds }, `demo paused during '${outcome.stage}': run ${again} again to continue`);
        return EXIT_INTERRUPTED;
      }
      const m = outcome.metrics;
      const lines = [`report: ${outcome.reportPath}`, `numbers: ${outcome.metricsPath}`];
      if (m?.segmentation) {
        lines.push(
          `validation mIoU ${m.segmentation.miou?.toFixed(1) ?? '-'}% (pixel accuracy ${m.segmentation.pixelAccuracy?.toFixed(1) ?? '-'}%) from ${m.segmentation.labelledFrames ?? '?'} labelled of ${m.dataset.framesToLabel.train} train frames`,
        );
      }
      if (m?.depth && typeof m.depth['absRel'] === 'number') lines.push(`depth abs-rel ${(m.depth['absRel'] as number).toFixed(3)} (${m.depth.source})`);
      lines.push(`this invocation took ${formatDuration(seconds)}; stages: ${Object.entries(outcome.timings).map(([k, v]) => `${k} ${formatDuration(v)}`).join(', ')}`);
      printResult(quiet, { ...outcome, seconds }, lines.join('\n'));
      return 0;
    } finally {
      closeBars();
      interrupt.dispose();
      shutdownEngine();
    }
  },
};
