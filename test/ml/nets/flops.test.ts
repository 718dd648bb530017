import { beforeAll, describe, expect, it } from 'vitest';
import * as tfl from '@tensorflow/tfjs-layers';
import { SMALL, TINY, buildDepthNet, buildEncoder, countFlops, countParams } from '../../../src/core/ml/nets';
import { conv } from '../../../src/core/ml/nets/layerBlocks';
import { useCpuEngine } from './netSetup';

beforeAll(useCpuEngine);

describe('countFlops', () => {
  it('counts 2 x H_out x W_out x C_out x k x k x C_in for plain, strided and dilated convs', () => {
    const x = tfl.input({ shape: [16, 32, 3] });
    const a = conv(x, 8, 'a', { kernel: 3, stride: 2 }); // 8x16x8 from 3 channels
    const b = conv(a, 4, 'b', { kernel: 3, dilation: 2 }); // 8x16x4 from 8
    const c = conv(b, 5, 'c', { kernel: 1 }); // 8x16x5 from 4
    const model = tfl.model({ inputs: x, outputs: c });
    const f = countFlops(model);
    const macs = [8 * 16 * 8 * 9 * 3, 8 * 16 * 4 * 9 * 8, 8 * 16 * 5 * 1 * 4];
    expect(f.layers.map((l) => [l.name, l.macs])).toEqual([
      ['a', macs[0]],
      ['b', macs[1]],
      ['c', macs[2]],
    ]);
    expect(f.forward).toBe(2 * (macs[0]! + macs[1]! + macs[2]!));
    expect(countParams(model)).toBe(9 * 3 * 8 + 8 + 9 * 8 * 4 + 4 + 4 * 5 + 5);
    model.dispose();
  });

  it('scales with the input area and the preset', () => {
    const small = buildEncoder(TINY, { height: 32, width: 64 });
    const big = buildEncoder(TINY, { height: 64, width: 128 });
    expect(countFlops(big).forward).toBe(4 * countFlops(small).forward);
    const tinyDepth = buildDepthNet(TINY, { height: 32, width: 64 });
    const smallDepth = buildDepthNet(SMALL, { height: 32, width: 64 });
    expect(countFlops(smallDepth).forward).toBeGreaterThan(10 * countFlops(tinyDepth).forward);
    [small, big, tinyDepth, smallDepth].forEach((m) => m.dispose());
  });
});
