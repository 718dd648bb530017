import { beforeAll, describe, expect, it } from 'vitest';
import { computeSuperpixels } from '../../src/core/assist/superpixels';
import { superpixelSdeFeatures } from '../../src/core/assist/sdeFeatures';
import { LABEL_ID_TO_TRAIN_ID } from '../../src/core/labels/cityscapes';
import { buildDepthNet, TINY } from '../../src/core/ml/nets';
import { LABELLED_FRAME, createBuffers, createSequence, renderFrame, synthIntrinsics } from '../../src/core/synth';
import { LiveAssist } from '../../src/renderer/src/annotator/assist';
import type { FrameMessage } from '../../src/renderer/src/annotator/assistProtocol';
import { AssistWorkerHandler } from '../../src/renderer/src/annotator/assistWorkerHandler';
import { SuperpixelMap } from '../../src/renderer/src/annotator/superpixelMap';
import { startWasm } from '../engine/setup';

beforeAll(startWasm);

const W = 128;
const H = 64;

/** A synthetic street frame, its superpixels, its trainId labels and a depth network's features of the superpixels. */
async function streetFrame(): Promise<{ frame: FrameMessage; gt: Uint8Array }> {
  const buf = createBuffers(W, H);
  renderFrame(createSequence(7, 1), LABELLED_FRAME, synthIntrinsics({ width: W, height: H }), buf);
  const sp = computeSuperpixels(buf.rgb, W, H, { regionSize: 6 });
  const net = buildDepthNet(TINY, { height: 32, width: 64 }, { seed: 4 });
  const sde = await superpixelSdeFeatures(net, buf.rgb, sp);
  net.dispose();
  const gt = buf.label.map((id) => LABEL_ID_TO_TRAIN_ID[id] ?? 255);
  const superpixels = { width: W, height: H, labels: sp.labels, count: sp.count, meanLab: sp.meanLab };
  return { frame: { type: 'frame', frameKey: 1, superpixels, extra: { data: sde.features, dims: sde.dims } }, gt };
}

/** Every 8th row painted with its true classes (scribbles across the frame). */
function scribbles(gt: Uint8Array): Uint8Array {
  const mask = new Uint8Array(W * H).fill(255);
  for (let y = 4; y < H; y += 8) for (let x = 0; x < W; x++) mask[y * W + x] = gt[y * W + x]!;
  return mask;
}

describe("the assist worker's message handler", () => {
  it('answers a proposal for a real frame with SDE features: the LiveAssist answer, right on most unpainted pixels', async () => {
    const { frame, gt } = await streetFrame();
    const handler = new AssistWorkerHandler();
    expect(handler.handle(frame)).toBeNull();
    const mask = scribbles(gt);
    const reply = handler.handle({ type: 'propose', id: 7, frameKey: 1, mask });
    if (reply?.type !== 'proposal') throw new Error(`expected a proposal, got ${JSON.stringify(reply)}`);
    expect(reply.id).toBe(7);
    expect(reply.classCount).toBeGreaterThanOrEqual(3);
    const s = frame.superpixels;
    const direct = new LiveAssist(new SuperpixelMap(s.width, s.height, s.labels, s.count, s.meanLab), frame.extra).propose(mask);
    expect(reply.classes).toEqual(direct.classes);
    let unpainted = 0;
    let right = 0;
    for (let p = 0; p < mask.length; p++) {
      if (mask[p] !== 255 || gt[p] === 255) continue;
      unpainted++;
      if (reply.classes[p] === gt[p]) right++;
    }
    expect(reply.proposed).toBe(mask.filter((v) => v === 255).length);
    expect(right / unpainted).toBeGreaterThan(0.8);
  });

  it('fails a request for a frame it was not given, and one whose features do not fit the superpixels, in words', async () => {
    const { frame, gt } = await streetFrame();
    const handler = new AssistWorkerHandler();
    const mask = scribbles(gt);
    expect(handler.handle({ type: 'propose', id: 1, frameKey: 1, mask })).toEqual({ type: 'failed', id: 1, message: 'assist worker: no frame 1 set up (it has none)' });
    handler.handle({ ...frame, frameKey: 2, extra: { data: new Float32Array(5), dims: 13 } });
    const bad = handler.handle({ type: 'propose', id: 2, frameKey: 2, mask });
    expect(bad).toMatchObject({ type: 'failed', id: 2 });
    expect(bad?.type === 'failed' && bad.message).toMatch(/extra features hold 5 values, not \d+ superpixels x 13/);
    expect(handler.handle({ type: 'propose', id: 3, frameKey: 2, mask: new Uint8Array(3) })).toMatchObject({ type: 'failed', id: 3 });
  });
});
