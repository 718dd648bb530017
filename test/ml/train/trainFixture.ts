/** A tiny synthetic street dataset (32x64, 4 sequences) and its samples, for the training tests. */
import { gapOffsets } from '../../../src/core/ml/train/samples';
import type { SdeTrainConfig } from '../../../src/core/ml/train/sdeTrainer';
import type { SegTrainConfig } from '../../../src/core/ml/train/segTrainer';
import { sdeSettingsResolved, segSettingsResolved, type SdeSettings, type SegSettings } from '../../../src/core/settings';
import { generateSynthDataset } from '../../../src/core/synth/generate';
import { indexCityscapes, type DatasetIndex } from '../../../src/core/data';
import { LabelCache } from '../../../src/core/ml/train/batches';
import { FrameCache } from '../../../src/core/ml/train/frameCache';
import { clipSamples, frameSamples, type FrameSample } from '../../../src/core/ml/train/samples';
import { TINY, type NetConfig } from '../../../src/core/ml/nets';

export const SIZE = { height: 32, width: 64 };
export const NET: NetConfig = TINY;

export interface TrainFixture {
  root: string;
  index: DatasetIndex;
  clips: FrameSample[];
  labelled: FrameSample[];
  unlabelled: FrameSample[];
  val: FrameSample[];
  frames: FrameCache;
  labels: LabelCache;
}

/** `temp` makes a temp folder (freshDirs() of test/data/fixtures removes them after the file). */
export async function trainFixture(temp: (prefix: string) => string, sequences = 4): Promise<TrainFixture> {
  const root = temp('train');
  await generateSynthDataset({ out: root, sequences, size: SIZE, seed: 11 });
  const index = await indexCityscapes(root);
  const train = frameSamples(index, 'train');
  return {
    root,
    index,
    clips: clipSamples(index, 'train'),
    labelled: train.slice(0, 1),
    unlabelled: train.slice(1).map((s) => ({ ...s, label: null })),
    val: frameSamples(index, 'val'),
    frames: new FrameCache(SIZE),
    labels: new LabelCache(SIZE),
  };
}

/** A trainer's config for the tests: the declared settings with the tiny net at SIZE and what the test changes. */
export function sdeConfig(over: Partial<SdeSettings> = {}, net: NetConfig = NET): SdeTrainConfig {
  return { settings: sdeSettingsResolved.parse({ net: 'tiny', height: SIZE.height, width: SIZE.width, ...over }), net };
}

/** Segmentation: scratch without mixing unless the test says otherwise. */
export function segConfig(over: Partial<SegSettings> = {}, net: NetConfig = NET): SegTrainConfig {
  return { settings: segSettingsResolved.parse({ net: 'tiny', height: SIZE.height, width: SIZE.width, mode: 'scratch', mix: 'none', ...over }), net, offsets: gapOffsets(1) };
}
