/**
 * Self-supervised depth really learns on generated street video: after a short run of the
 * tiny networks, the pose network's translation between consecutive frames points the way
 * the camera moved (the generator's poses) without shrinking towards zero, and the depth
 * beats a constant depth on the validation frames by a clear margin (both after per-image
 * median scaling). Before the pose output's translation got its own scale and a forward start
 * (nets/config.ts), the translation stayed near zero or learned backward motion, and the depth
 * scored worse than a constant.
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexCityscapes, loadDepthMetres } from '../../../src/core/data';
import { COLLAPSE_SHARE, DepthMetrics } from '../../../src/core/ml/metrics';
import { netPreset } from '../../../src/core/ml/nets';
import { IDENTITY_COLOUR, IDENTITY_GEOMETRY } from '../../../src/core/ml/train/augment';
import { LabelCache, tripletBatch } from '../../../src/core/ml/train/batches';
import { evaluateDepth, evaluateSegmentation } from '../../../src/core/ml/train/evaluate';
import { FrameCache } from '../../../src/core/ml/train/frameCache';
import { clipSamples, frameSamples, gapOffsets, type FrameSample } from '../../../src/core/ml/train/samples';
import { disposeTriplets, poseTransforms } from '../../../src/core/ml/train/sdeBatch';
import { SdeTrainer } from '../../../src/core/ml/train/sdeTrainer';
import { SegTrainer } from '../../../src/core/ml/train/segTrainer';
import { sdeSettingsResolved, segSettingsResolved } from '../../../src/core/settings';
import { generateSynthDataset } from '../../../src/core/synth/generate';
import { freshDirs } from '../../data/fixtures';
import { startWasm } from '../../engine/setup';

const temp = freshDirs();
const SIZE = { height: 32, width: 64 };
const STEPS = 300;
const SEG_STEPS = 100;
let train: FrameSample[];
let val: FrameSample[];
/** Keyframes with labels: training (the first 4 are labelled) and validation. */
let labelled: FrameSample[];
let segVal: FrameSample[];
/** Camera-to-world 4x4 (row-major) of every clip frame, by image path. */
let posesOf: Map<string, number[]>;

beforeAll(async () => {
  await startWasm();
  const root = temp('sde-learns');
  await generateSynthDataset({ out: root, sequences: 24, size: SIZE, seed: 11 });
  const index = await indexCityscapes(root);
  train = clipSamples(index, 'train');
  val = clipSamples(index, 'val').filter((_, i) => i % 4 === 0);
  labelled = frameSamples(index, 'train');
  segVal = frameSamples(index, 'val');
  posesOf = new Map();
  for (const clip of [...index.splits.train!.clips, ...index.splits.val!.clips]) {
    const poses = JSON.parse(readFileSync(clip.posesPath!, 'utf8')) as { frames: Array<{ cameraToWorld: number[] }> };
    clip.framePaths.forEach((path, k) => posesOf.set(path, poses.frames[k]!.cameraToWorld));
  }
});

/** The camera's motion from frame a to frame b, in a's camera axes (x right, y down, z forward). */
function trueMotion(a: string, b: string): [number, number, number] {
  const ma = posesOf.get(a)!;
  const mb = posesOf.get(b)!;
  const d = [mb[3]! - ma[3]!, mb[7]! - ma[7]!, mb[11]! - ma[11]!];
  // rotate the world displacement into a's axes: R_a^T d
  return [0, 1, 2].map((c) => ma[c]! * d[0]! + ma[4 + c]! * d[1]! + ma[8 + c]! * d[2]!) as [number, number, number];
}

/** The SDE run both tests look at: trained once, on first use. */
const frames = new FrameCache(SIZE);
let sde: Promise<SdeTrainer> | undefined;
function trainedSde(): Promise<SdeTrainer> {
  sde ??= (async () => {
    const trainer = new SdeTrainer({ settings: sdeSettingsResolved.parse({ net: 'tiny', height: SIZE.height, width: SIZE.width, steps: STEPS, lr: 5e-4 }), net: netPreset('tiny') }, train, frames);
    while (!trainer.done) await trainer.trainStep();
    return trainer;
  })();
  return sde;
}
afterAll(async () => (await sde)?.dispose());

describe('self-supervised depth on generated street video', () => {
  it('learns the forward motion and a depth better than a constant one', async () => {
    const trainer = await trainedSde();
    {

      // Pose: the transform target -> next frame maps a point p to p - (camera motion), so its
      // translation is minus the motion; compare directions.
      const batch = await tripletBatch(val, [-1, 1], val.map(() => IDENTITY_GEOMETRY), val.map(() => IDENTITY_COLOUR), frames);
      const [, toNext] = poseTransforms(trainer.pose, batch, false);
      const T = (await toNext!.array()) as number[][][];
      tf.dispose(toNext);
      disposeTriplets(batch);
      const lengths: number[] = [];
      const cosines = val.map((s, i) => {
        const t = [T[i]![0]![3]!, T[i]![1]![3]!, T[i]![2]![3]!];
        lengths.push(Math.hypot(...t));
        const m = trueMotion(s.imagePath, s.neighbourPaths![1]!).map((v) => -v);
        return (t[0]! * m[0]! + t[1]! * m[1]! + t[2]! * m[2]!) / (Math.hypot(...t) * Math.hypot(...m));
      });
      // Mostly forward (the prior it starts from, so this alone proves little), and not shrunk
      // towards zero, where the depth's scale would follow it below the 0.1 m floor.
      expect(Math.min(...cosines)).toBeGreaterThan(0.9);
      expect(Math.min(...lengths)).toBeGreaterThan(0.01);

      // Depth against a constant depth on the same frames.
      const learned = (await evaluateDepth(trainer.depth, val, frames))!;
      const constant = new DepthMetrics();
      for (const s of val) {
        const gt = await loadDepthMetres(s.depthPath!, SIZE);
        constant.add(new Float32Array(gt.length).fill(10), gt);
      }
      const flat = constant.mean();
      // measured: abs rel 0.50 against 0.82, delta < 1.25 0.31 against 0.18
      expect(learned.absRel).toBeLessThan(0.8 * flat.absRel);
      expect(learned.a1).toBeGreaterThan(1.3 * flat.a1);
    }
  }, 900_000);

  it('gives segmentation started from it (the declared defaults, transfer) a prediction that is not one class', async () => {
    // Started from this SDE network's decoder too ('encoder+decoder', the default before
    // 2026-12-03), the run predicts one class everywhere (measured at 60 steps: 100% of the
    // pixels in one class; encoder only 87%, scratch 87%; docs/results/2026-12-03-sde-payoff.md).
    const trainer = await trainedSde();
    const labels = new LabelCache(SIZE);
    const settings = segSettingsResolved.parse({ net: 'tiny', height: SIZE.height, width: SIZE.width, mode: 'transfer', mix: 'none', steps: SEG_STEPS });
    const seg = new SegTrainer({ settings, net: netPreset('tiny'), offsets: gapOffsets(1) }, { labelled: labelled.slice(0, 4), unlabelled: [], sde: { depth: trainer.depth, pose: trainer.pose } }, frames, labels);
    try {
      while (!seg.done) await seg.trainStep();
      const ev = await evaluateSegmentation(seg.model, segVal, frames, labels, netPreset('tiny').numClasses);
      expect(ev.majorityShare).toBeLessThan(COLLAPSE_SHARE);
      expect(ev.collapsed).toBe(false);
      expect(ev.perClassIou.filter((v) => v > 0).length).toBeGreaterThanOrEqual(3);
    } finally {
      seg.dispose();
    }
  }, 600_000);
});
