import { DataError, StoreError, UsageError, errorMessage } from '../core/errors';
import type { CliCommand } from './command';

/**
 * Every sub-command, in the order `depthseg --help` lists them. Each is loaded only when it
 * runs, so `depthseg status` never pays for loading tfjs.
 */
const COMMANDS: readonly { name: string; summary: string; load: () => Promise<CliCommand> }[] = [
  {
    name: 'demo',
    summary: 'the whole loop on generated data, from nothing to report.html (--quick: minutes)',
    load: async () => (await import('./commands/demo')).demoCommand,
  },
  {
    name: 'synth',
    summary: 'generate a synthetic street-video dataset in the Cityscapes layout',
    load: async () => (await import('./commands/synth')).synthCommand,
  },
  {
    name: 'init',
    summary: 'create a project from a dataset folder (Cityscapes, CamVid or plain frames)',
    load: async () => (await import('./commands/init')).initCommand,
  },
  {
    name: 'migrate',
    summary: "move an SQLite project into a PostgreSQL database for a team (nothing lost: rows, masks, runs)",
    load: async () => (await import('./commands/migrate')).migrateCommand,
  },
  {
    name: 'import-labels',
    summary: "import the dataset's own label PNGs (e.g. gtFine) as finished annotations",
    load: async () => (await import('./commands/importLabels')).importLabelsCommand,
  },
  {
    name: 'status',
    summary: 'what a project holds: data, labels, suggestions, training runs',
    load: async () => (await import('./commands/status')).statusCommand,
  },
  {
    name: 'train-sde',
    summary: 'train self-supervised depth on the video clips (Ctrl-C pauses, run again to resume)',
    load: async () => (await import('./commands/trainSde')).trainSdeCommand,
  },
  {
    name: 'train-seg',
    summary: 'train segmentation on the labelled frames: scratch/transfer/multitask, ClassMix/DepthMix',
    load: async () => (await import('./commands/trainSeg')).trainSegCommand,
  },
  {
    name: 'predict',
    summary: "write a model's segmentation and depth for the project's frames (raw and colourised PNGs)",
    load: async () => (await import('./commands/predict')).predictCommand,
  },
  {
    name: 'eval',
    summary: 'score a model on a split: mIoU, per-class IoU, depth errors',
    load: async () => (await import('./commands/eval')).evalCommand,
  },
  {
    name: 'select',
    summary: 'propose frames to label: diversity of SDE features + depth uncertainty (or random, entropy)',
    load: async () => (await import('./commands/select')).selectCommand,
  },
  {
    name: 'export',
    summary: 'write masks as Cityscapes labelIds/trainIds PNGs and VOC-style palette PNGs',
    load: async () => (await import('./commands/export')).exportCommand,
  },
  {
    name: 'engine',
    summary: 'which training backend this machine uses, and why',
    load: async () => (await import('./commands/engine')).engineCommand,
  },
  {
    name: 'worker',
    summary: "train a team project's queued jobs on this machine (PostgreSQL projects)",
    load: async () => (await import('./commands/worker')).workerCommand,
  },
  {
    name: 'serve',
    summary: 'run the workbench UI in a browser: on this machine only, or (--team) for a team with accounts',
    load: async () => (await import('./commands/serve')).serveCommand,
  },
  {
    name: 'user',
    summary: "the team server's accounts: add, list, set-role, set-password, remove",
    load: async () => (await import('./commands/user')).userCommand,
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'depthseg: semantic segmentation with few labels, improved by self-supervised depth',
    '',
    'usage: depthseg COMMAND [OPTIONS]   (depthseg COMMAND --help for its options)',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad usage). */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${help()}\n`);
    return name ? 0 : 2;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`depthseg: unknown command '${name}'\n\n${help()}\n`);
    return 2;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.usage}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`depthseg ${name}: ${e.message}\n\nusage: ${command.usage}\n`);
      return 2;
    }
    if (e instanceof DataError || e instanceof StoreError) {
      process.stderr.write(`depthseg ${name}: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`depthseg ${name}: ${errorMessage(e)}\n`);
    if (process.env['DEPTHSEG_DEBUG'] && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
