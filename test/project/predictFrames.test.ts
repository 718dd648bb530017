/**
 * Predictions for video whose frame numbers restart per clip folder (issue 21): every frame
 * keeps its own files, and two frames that would write one file stop the run before it writes.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readLabel, readU16, writePng } from '../../src/core/data/imageIo';
import { DataError } from '../../src/core/errors';
import { initProject } from '../../src/core/project/initProject';
import { predictFrames } from '../../src/core/project/predictFrames';
import { FIXTURE_SIZE, freshDirs, patternRgb, writeTwoClipFramesFixture } from '../data/fixtures';
import { useCpuEngine } from '../ml/nets/netSetup';

const temp = freshDirs();
beforeAll(useCpuEngine);

/**
 * A real two-output network of 1x1 convolutions whose outputs follow the input's red channel r
 * (in [0, 1]): disparity = r, and class 0 where r > 0.5, else class 1 (logits r and 0.5).
 */
function redModel(): tfl.LayersModel {
  const input = tfl.input({ shape: [FIXTURE_SIZE.height, FIXTURE_SIZE.width, 3] });
  const segLayer = tfl.layers.conv2d({ filters: 19, kernelSize: 1, name: 'seg' });
  const dispLayer = tfl.layers.conv2d({ filters: 1, kernelSize: 1, name: 'disp_0' });
  const model = tfl.model({ inputs: input, outputs: [segLayer.apply(input), dispLayer.apply(input)] as tfl.SymbolicTensor[] });
  const segW = new Float32Array(3 * 19);
  segW[0] = 1; // red -> class 0
  const segB = new Array(19).fill(-1);
  segB[0] = 0;
  segB[1] = 0.5;
  segLayer.setWeights([tf.tensor4d(segW, [1, 1, 3, 19]), tf.tensor1d(segB)]);
  dispLayer.setWeights([tf.tensor4d([1, 0, 0], [1, 1, 3, 1]), tf.tensor1d([0])]);
  return model;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => relative(dir, join(dir, f)).split('\\').join('/'))
    .sort();
}

describe('predicting every frame of clips whose frame names repeat', () => {
  it('writes each clip into its own folder, every output present and its own', async () => {
    const data = await writeTwoClipFramesFixture(temp('pf-ds'));
    const { open } = await initProject({ dir: temp('pf-proj'), dataset: data.root });
    const out = temp('pf-out');
    const model = redModel();
    const summary = await predictFrames(open, model, { out, allFrames: true, batchSize: 4 });
    await open.close();
    model.dispose();

    const frames = data.clips.length * data.names.length;
    const outputs = ['classIds', 'seg', 'disp', 'disp_color'];
    expect(summary).toMatchObject({ frames, files: frames * outputs.length, outputs });
    const expected = data.clips.flatMap((c) => data.names.flatMap((n) => outputs.map((o) => `${c}/${n.replace('.png', '')}_${o}.png`))).sort();
    expect(filesUnder(out)).toEqual(expected);

    // each file holds its own frame's prediction: same name, other clip, other values
    for (const [c, clip] of data.clips.entries()) {
      for (const [n, name] of data.names.entries()) {
        const stem = join(out, clip, name.replace('.png', ''));
        const red = data.red(c, n);
        expect(new Set((await readU16(`${stem}_disp.png`)).data)).toEqual(new Set([Math.round((red / 255) * 65535)]));
        expect(new Set((await readLabel(`${stem}_classIds.png`)).data)).toEqual(new Set([red / 255 > 0.5 ? 0 : 1]));
      }
    }
    const first = (await readU16(join(out, 'seq1', '000000_disp.png'))).data[0];
    const second = (await readU16(join(out, 'seq2', '000000_disp.png'))).data[0];
    expect(first).not.toBe(second);
  });

  it('refuses, writing nothing, where two frames of a clip share a name (000000.png and 000000.jpg), naming both', async () => {
    const data = await writeTwoClipFramesFixture(temp('pf-dup'), 2);
    await writePng(join(data.root, 'seq2', '000000.jpg'), patternRgb(FIXTURE_SIZE.width, FIXTURE_SIZE.height, 7));
    const { open } = await initProject({ dir: temp('pf-dup-proj'), dataset: data.root });
    const out = join(temp('pf-dup-out'), 'out');
    const model = redModel();
    let error: unknown;
    try {
      await predictFrames(open, model, { out, allFrames: true });
    } catch (e) {
      error = e;
    } finally {
      await open.close();
      model.dispose();
    }
    expect(error).toBeInstanceOf(DataError);
    const message = (error as DataError).message;
    expect(message).toContain('4 output files would be written by more than one frame');
    expect(message).toContain(
      `${join(data.root, 'seq2', '000000.jpg')} and ${join(data.root, 'seq2', '000000.png')} would both write ` +
        'seq2/000000_classIds.png, seq2/000000_seg.png, seq2/000000_disp.png, seq2/000000_disp_color.png',
    );
    expect(existsSync(out)).toBe(false);
  });
});
