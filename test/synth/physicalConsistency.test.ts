import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCameraJson } from '../../src/core/data/camera';
import { labelIdByName } from '../../src/core/labels';
import { readLabel, readRgb, readU16 } from '../../src/core/data/imageIo';
import { generateSynthDataset } from '../../src/core/synth';
import { depthEdges, warpError } from './referenceWarp';

const size = { height: 96, width: 192 };
let root = '';
const MOVING = new Set(['person', 'rider', 'car', 'bicycle'].map(labelIdByName));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'synth-physics-'));
  await generateSynthDataset({ out: root, sequences: 2, size, seed: 7 });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface PosesFile {
  frames: { frame: string; cameraToWorld: number[] }[];
}

describe('synthetic frames are geometrically consistent with their depth, poses and intrinsics', () => {
  for (const [split, seq] of [['train', '000000'], ['val', '000001']] as const) {
    // Frame 19 has a label, so moving objects (people, riders, cars, bicycles) can be left out exactly.
    for (const other of [20, 18]) {
      it(`warping frame ${other} into frame 19 of ${split} ${seq} with GT depth and poses removes most of the difference`, async () => {
        const dir = (kind: string) => join(root, kind, split, 'synth');
        const name = (f: number) => `synth_${seq}_${String(f).padStart(6, '0')}`;
        const k = readCameraJson(join(dir('camera'), `${name(19)}_camera.json`), size);
        const poses = JSON.parse(readFileSync(join(dir('poses'), `synth_${seq}_poses.json`), 'utf8')) as PosesFile;
        expect(poses.frames).toHaveLength(30);
        expect(poses.frames.map((f) => f.frame)).toEqual(Array.from({ length: 30 }, (_, i) => String(i).padStart(6, '0')));
        const frameT = await readRgb(join(dir('leftImg8bit_sequence'), `${name(19)}_leftImg8bit.png`));
        const frameO = await readRgb(join(dir('leftImg8bit_sequence'), `${name(other)}_leftImg8bit.png`));
        const depthT = await readU16(join(dir('depth_sequence'), `${name(19)}_depth.png`));
        const label = await readLabel(join(dir('gtFine'), `${name(19)}_gtFine_labelIds.png`));
        const edges = depthEdges(depthT);
        const skip = (i: number) => MOVING.has(label.data[i]!) || edges[i] === 1;
        const r = warpError(frameT, depthT, frameO, k, poses.frames[19]!.cameraToWorld, poses.frames[other]!.cameraToWorld, skip);
        if (process.env.SYNTH_VERBOSE) console.log(split, seq, other, r);
        expect(r.validPixels).toBeGreaterThan(size.height * size.width * 0.25);
        expect(r.identityError).toBeGreaterThan(5);
        expect(r.warpedError).toBeLessThan(r.identityError / 3);
      });
    }
  }

  it('a wrong pose (the frame after next) does not match: the check can fail', async () => {
    const dir = (kind: string) => join(root, kind, 'train', 'synth');
    const name = (f: number) => `synth_000000_${String(f).padStart(6, '0')}`;
    const k = readCameraJson(join(dir('camera'), `${name(19)}_camera.json`), size);
    const poses = JSON.parse(readFileSync(join(dir('poses'), 'synth_000000_poses.json'), 'utf8')) as PosesFile;
    const frameT = await readRgb(join(dir('leftImg8bit_sequence'), `${name(19)}_leftImg8bit.png`));
    const frameO = await readRgb(join(dir('leftImg8bit_sequence'), `${name(20)}_leftImg8bit.png`));
    const depthT = await readU16(join(dir('depth_sequence'), `${name(19)}_depth.png`));
    const edges = depthEdges(depthT);
    const good = warpError(frameT, depthT, frameO, k, poses.frames[19]!.cameraToWorld, poses.frames[20]!.cameraToWorld, (i) => edges[i] === 1);
    const bad = warpError(frameT, depthT, frameO, k, poses.frames[19]!.cameraToWorld, poses.frames[22]!.cameraToWorld, (i) => edges[i] === 1);
    expect(bad.warpedError).toBeGreaterThan(good.warpedError * 1.5);
  });

  it('depth is 0 exactly where the label is sky', async () => {
    const depth = await readU16(join(root, 'depth_sequence/train/synth/synth_000000_000019_depth.png'));
    const label = await readLabel(join(root, 'gtFine/train/synth/synth_000000_000019_gtFine_labelIds.png'));
    const sky = labelIdByName('sky');
    let mismatches = 0;
    for (let i = 0; i < depth.data.length; i++) if ((depth.data[i] === 0) !== (label.data[i] === sky)) mismatches++;
    expect(mismatches).toBe(0);
  });
});
