import { resolve } from 'node:path';
import { parseSize } from '../../core/data/imageIo';
import { UsageError } from '../../core/errors';
import { generateSynthDataset } from '../../core/synth';
import { parseArgs, positiveInt } from '../args';
import { printResult, type CliCommand } from '../command';
import { createProgress } from '../progress';

const MIN = { height: 64, width: 128 };
const MAX = { height: 1024, width: 2048 };

export const synthCommand: CliCommand = {
  name: 'synth',
  usage: `depthseg synth --out DIR [--sequences N] [--size HxW] [--seed S] [--json]

  --out DIR        where to write the dataset (created if missing)
  --sequences N    number of 30-frame snippets (default 8; every 4th goes to val)
  --size HxW       frame size, from 64x128 up to 1024x2048 (default 128x256)
  --seed S         random seed; the same seed gives the same files (default 1)
  --json           print the summary as JSON on stdout`,
  async run(argv) {
    const { flags } = parseArgs(argv, {
      out: 'string',
      sequences: 'number',
      size: 'string',
      seed: 'number',
      json: 'boolean',
    });
    if (!flags.out) throw new UsageError('synth needs --out DIR');
    let size;
    try {
      size = parseSize(flags.size ?? '128x256');
    } catch (e) {
      throw new UsageError(`--size: ${(e as Error).message}`);
    }
    if (size.height < MIN.height || size.width < MIN.width || size.height > MAX.height || size.width > MAX.width) {
      throw new UsageError(`--size must be between ${MIN.height}x${MIN.width} and ${MAX.height}x${MAX.width} (got ${size.height}x${size.width})`);
    }
    const sequences = positiveInt('sequences', flags.sequences, 8);
    const seed = flags.seed ?? 1;
    if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer (got ${seed})`);
    const out = resolve(flags.out);
    const progress = createProgress('synth', sequences, { quiet: flags.json === true });
    const summary = await generateSynthDataset({
      out,
      sequences,
      size,
      seed,
      onProgress: (p) => progress.update(p.done, { snippet: p.snippet }),
    });
    progress.finish();
    printResult(flags.json === true, summary, `wrote ${sequences} snippets of 30 frames at ${size.height}x${size.width} to ${out}`);
    return 0;
  },
};
