/**
 * Bad input, fuzzed with a fixed seed: valid PNG/JPEG/label/depth files mutated (truncated,
 * bytes flipped or overwritten, zero-size, headers claiming huge sizes, the wrong format),
 * labels with unknown values or the wrong size, camera json with fields missing or of the
 * wrong type, symbolic links and `..` paths out of the dataset, file names that are not
 * UTF-8. Every case either loads (a flipped byte in pixel data is still an image) or fails
 * with a DataError that names the file; nothing else is thrown, the process does not crash,
 * and the masks a project saved before are untouched afterwards.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  indexCamvid,
  indexCityscapes,
  indexFrames,
  loadImage,
  loadLabel,
  loadLabelledFrame,
  readImageSize,
  readU16,
  writePng,
  writePngU16,
  type LabelEncoding,
} from '../../src/core/data';
import { DataError, UsageError } from '../../src/core/errors';
import { importLabels } from '../../src/core/project/importLabels';
import { initProject } from '../../src/core/project/initProject';
import { openProject } from '../../src/core/project/openProject';
import { datasetFile, listFrames, listMasks, loadMask, saveMask } from '../../src/core/store';
import { cameraJson, freshDirs, labelMap, patternRgb, writeCamvidFixture, writeCityscapesFixture } from '../data/fixtures';

const temp = freshDirs();

/** mulberry32: a small seeded generator, so a failing case can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20260508;

interface Tally {
  cases: number;
  loaded: number;
  refused: number;
  kinds: Record<string, number>;
}

/**
 * Runs one case: it must resolve (then `check` the result) or reject with a DataError (or a
 * UsageError for bad settings) whose message names one of `files`.
 */
async function expectCleanOutcome<T>(
  tally: Tally,
  kind: string,
  what: string,
  files: readonly string[],
  run: () => Promise<T>,
  check?: (v: T) => void,
): Promise<'loaded' | 'refused'> {
  tally.cases++;
  tally.kinds[kind] = (tally.kinds[kind] ?? 0) + 1;
  let value: T;
  try {
    value = await run();
  } catch (e) {
    if (!(e instanceof DataError)) {
      throw new Error(`${kind} (${what}): expected a DataError naming ${files.join(' or ')}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
    const named = files.some((f) => e.file === f && e.message.includes(f));
    if (!named) throw new Error(`${kind} (${what}): the DataError names ${e.file}, not ${files.join(' or ')}: ${e.message}`);
    if (e.reason.trim().length < 8) throw new Error(`${kind} (${what}): the reason says too little: '${e.reason}'`);
    tally.refused++;
    return 'refused';
  }
  check?.(value);
  tally.loaded++;
  return 'loaded';
}

/** Textured pixels, so the encoded files have real entropy-coded data to damage. */
function texture(width: number, height: number, channels: number, r: () => number): Uint8Array {
  return new Uint8Array(width * height * channels).map(() => Math.floor(r() * 256));
}

/** A PNG whose IHDR claims `w` x `h` pixels (CRC recomputed, so the header itself is well-formed). */
function pngClaiming(png: Buffer, w: number, h: number): Buffer {
  const b = Buffer.from(png);
  b.writeUInt32BE(w, 16);
  b.writeUInt32BE(h, 20);
  b.writeUInt32BE(crc32(b.subarray(12, 29)) >>> 0, 29);
  return b;
}

/** A JPEG whose start-of-frame marker claims `w` x `h` pixels. */
function jpegClaiming(jpg: Buffer, w: number, h: number): Buffer {
  const b = Buffer.from(jpg);
  for (let i = 2; i + 9 < b.length; i++) {
    if (b[i] === 0xff && (b[i + 1] === 0xc0 || b[i + 1] === 0xc2)) {
      b.writeUInt16BE(h, i + 5);
      b.writeUInt16BE(w, i + 7);
      return b;
    }
  }
  throw new Error('no SOF marker');
}

/** One random damage to a valid file. */
function mutate(base: Buffer, kind: 'png' | 'jpeg', r: () => number): { bytes: Buffer; how: string } {
  const pick = Math.floor(r() * 9);
  const at = (n = base.length) => Math.floor(r() * n);
  switch (pick) {
    case 0:
      return { bytes: Buffer.alloc(0), how: 'zero-size' };
    case 1: {
      const n = at();
      return { bytes: base.subarray(0, n), how: `truncated to ${n} of ${base.length} bytes` };
    }
    case 2: {
      const b = Buffer.from(base);
      const k = 1 + at(8);
      for (let i = 0; i < k; i++) b[at()] ^= 1 << at(8);
      return { bytes: b, how: `${k} bits flipped` };
    }
    case 3: {
      const b = Buffer.from(base);
      const start = at();
      const len = 1 + at(64);
      for (let i = start; i < Math.min(b.length, start + len); i++) b[i] = at(256);
      return { bytes: b, how: `${len} bytes overwritten at ${start}` };
    }
    case 4: {
      const start = at(Math.min(64, base.length));
      return { bytes: Buffer.concat([base.subarray(0, start), Buffer.from(texture(1 + at(200), 1, 1, r)), base.subarray(start)]), how: `junk inserted at ${start}` };
    }
    case 5: {
      const w = [0, 1, 65535, 30_000, 100_000, 2 ** 31 - 1][at(6)]!;
      const h = [0, 1, 65535, 40_000, 100_000, 2 ** 31 - 1][at(6)]!;
      if (kind === 'png') return { bytes: pngClaiming(base, w, h), how: `header claims ${w}x${h}` };
      return { bytes: jpegClaiming(base, Math.min(w, 65535), Math.min(h, 65535)), how: `SOF claims ${Math.min(w, 65535)}x${Math.min(h, 65535)}` };
    }
    case 6:
      return { bytes: Buffer.from('this is not an image\n'), how: 'a text file' };
    case 7: {
      const b = Buffer.from(base);
      b.fill(0, 8, Math.min(b.length, 8 + 1 + at(40)));
      return { bytes: b, how: 'header zeroed' };
    }
    default: {
      const n = Math.max(1, at());
      return { bytes: Buffer.concat([base, base.subarray(0, n)]), how: `${n} bytes appended` };
    }
  }
}

describe('fuzzed bad input', () => {
  it('every mutated image, label, depth map, camera json and dataset tree loads or gives a DataError naming the file; saved masks survive', { timeout: 120_000 }, async () => {
    const r = rng(SEED);
    const tally: Tally = { cases: 0, loaded: 0, refused: 0, kinds: {} };
    const work = temp('fuzz');

    // Valid originals.
    const W = 48;
    const H = 32;
    const rgb = { width: W, height: H, channels: 3, data: texture(W, H, 3, r) };
    const pngPath = join(work, 'base.png');
    await writePng(pngPath, rgb, 6);
    const png = readFileSync(pngPath);
    const jpg = await sharp(Buffer.from(rgb.data), { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 85 }).toBuffer();
    const labelPath = join(work, 'label.png');
    await writePng(labelPath, labelMap(W, H, (x, y) => [7, 8, 26, 0, 11][(x + 3 * y) % 5]!));
    const labelPng = readFileSync(labelPath);
    const depthPath = join(work, 'depth.png');
    await writePngU16(depthPath, { width: W, height: H, data: new Uint16Array(W * H).map((_, i) => 500 + i) });
    const depthPng = readFileSync(depthPath);

    // A project whose saved masks must come through untouched; its dataset is fuzzed too.
    const data = join(work, 'dataset');
    const fx = await writeCityscapesFixture(data);
    const projectDir = join(work, 'project');
    const { open } = await initProject({ dir: projectDir, dataset: data });
    const keyframes = await listFrames(open.store, { keyframesOnly: true });
    for (const [i, f] of keyframes.entries()) {
      await saveMask(open.store, f.id, { width: f.width, height: f.height, data: new Uint8Array(f.width * f.height).fill(i + 1) }, 'annotator', { status: 'done' });
    }
    const savedMasks = await Promise.all(keyframes.map(async (f) => ({ frameId: f.id, row: (await loadMask(open.store, f.id))!.row, file: readFileSync(join(projectDir, (await loadMask(open.store, f.id))!.row.maskPath!)) })));
    await open.close();

    // 1. Mutated image, label and depth files through every reader.
    const dir = join(work, 'cases');
    mkdirSync(dir);
    for (let i = 0; i < 700; i++) {
      const which = Math.floor(r() * 4);
      const base = which === 0 ? png : which === 1 ? jpg : which === 2 ? labelPng : depthPng;
      const { bytes, how } = mutate(base, which === 1 ? 'jpeg' : 'png', r);
      const ext = which === 1 ? 'jpg' : 'png';
      const file = join(dir, `case${i}.${ext}`);
      writeFileSync(file, bytes);
      const what = `${['png', 'jpeg', 'label', 'depth'][which]}: ${how}`;
      const image = (v: { width: number; height: number; channels: number; data: Uint8Array }) => {
        expect(v.data.length, what).toBe(v.width * v.height * v.channels);
      };
      if (which <= 1) {
        await expectCleanOutcome(tally, 'image', what, [file], () => loadImage(file), image);
        await expectCleanOutcome(tally, 'image-resized', what, [file], () => loadImage(file, { height: 16, width: 24 }), image);
        await expectCleanOutcome(tally, 'image-header', what, [file], () => readImageSize(file));
      } else if (which === 2) {
        const encoding: LabelEncoding = (['cityscapes-labelIds', 'cityscapes-trainIds', 'camvid'] as const)[Math.floor(r() * 3)]!;
        await expectCleanOutcome(tally, 'label', `${what} as ${encoding}`, [file], () => loadLabel({ path: file, encoding }, { height: 16, width: 24 }), image);
      } else {
        await expectCleanOutcome(tally, 'depth', what, [file], () => readU16(file), (v) => expect(v.data.length).toBe(v.width * v.height));
      }
      rmSync(file);
    }

    // 2. Well-formed labels with unknown values, or of another size than their image.
    const cv = join(work, 'camvid');
    await writeCamvidFixture(cv);
    const cvFrame = (await indexCamvid(cv)).splits.train!.frames[0]!;
    const csIndex = await indexCityscapes(data);
    const csFrame = csIndex.splits.train!.frames.find((f) => f.label)!;
    const originalCsLabel = readFileSync(csFrame.label!.path);
    const originalCvLabel = readFileSync(cvFrame.label!.path);
    for (let i = 0; i < 120; i++) {
      const frame = i % 2 === 0 ? csFrame : cvFrame;
      const wrongSize = r() < 0.3;
      const w = wrongSize ? 1 + Math.floor(r() * 30) : frame.width;
      const h = wrongSize ? 1 + Math.floor(r() * 30) : frame.height;
      const bad = Math.floor(r() * 256);
      const share = r();
      await writePng(frame.label!.path, labelMap(w, h, (x, y) => ((x * 7 + y * 13) % 100) / 100 < share ? bad : frame === cvFrame ? 3 : 7));
      await expectCleanOutcome(tally, 'label-values', `value ${bad} on ${Math.round(share * 100)}% of ${w}x${h}`, [frame.label!.path], () =>
        loadLabelledFrame(frame, { height: 4, width: 8 }),
      );
    }
    writeFileSync(csFrame.label!.path, originalCsLabel);
    writeFileSync(cvFrame.label!.path, originalCvLabel);

    // 3. Camera json with fields missing, of the wrong type, or not JSON at all.
    const framesRoot = join(work, 'frames');
    for (const n of [1, 2, 3]) await writePng(join(framesRoot, 'clip', `${n}.png`), patternRgb(16, 8, n));
    const cam = join(framesRoot, 'clip', 'camera.json');
    const validCam = JSON.parse(cameraJson(20, 21, 8, 4)) as { intrinsic: Record<string, unknown> };
    const oddValues: unknown[] = [null, '12', -5, 0, 1e308, [], {}, true, Number.MAX_VALUE];
    for (let i = 0; i < 120; i++) {
      const j = structuredClone(validCam) as Record<string, unknown> & { intrinsic: Record<string, unknown> };
      const op = Math.floor(r() * 5);
      let text: string;
      if (op === 0) {
        for (const k of Object.keys(j.intrinsic)) if (r() < 0.5) delete j.intrinsic[k];
        text = JSON.stringify(j);
      } else if (op === 1) {
        const k = ['fx', 'fy', 'u0', 'v0'][Math.floor(r() * 4)]!;
        j.intrinsic[k] = oddValues[Math.floor(r() * oddValues.length)];
        text = JSON.stringify(j);
      } else if (op === 2) {
        text = JSON.stringify([{ extrinsic: j['extrinsic'] }, null, 3, 'x', []][Math.floor(r() * 5)]);
      } else if (op === 3) {
        const s = JSON.stringify(j);
        text = s.slice(0, Math.floor(r() * s.length));
      } else {
        text = '';
      }
      writeFileSync(cam, text);
      await expectCleanOutcome(tally, 'camera-json', text.slice(0, 60), [cam], () => indexFrames(framesRoot));
    }

    // 4. Dataset trees that lead outside themselves or hold names that are not UTF-8.
    const outside = join(work, 'outside');
    mkdirSync(outside);
    await writePng(join(outside, 'elsewhere.png'), patternRgb(16, 8, 9));
    const trees: { what: string; build: (root: string) => string; index: (root: string) => Promise<unknown> }[] = [
      {
        what: 'a frame that is a symbolic link to a file outside the dataset',
        build: (root) => {
          const link = join(root, 'clip', '4.png');
          symlinkSync(join(outside, 'elsewhere.png'), link);
          return link;
        },
        index: (root) => initProject({ dir: join(root, '..', `p-${tally.cases}`), dataset: root, horizontalFovDegrees: 70 }),
      },
      {
        what: 'a clip folder that is a symbolic link to a folder outside the dataset',
        build: (root) => {
          const link = join(root, 'linked');
          symlinkSync(outside, link);
          return join(link, 'elsewhere.png');
        },
        index: (root) => initProject({ dir: join(root, '..', `p-${tally.cases}`), dataset: root, horizontalFovDegrees: 70 }),
      },
      {
        what: 'a frame whose name is not UTF-8',
        build: (root) => {
          const name = Buffer.concat([Buffer.from(join(root, 'clip', 'frame-')), Buffer.from([0xff, 0xfe]), Buffer.from('.png')]);
          copyFileSync(join(root, 'clip', '1.png'), name);
          return join(root, 'clip', 'frame-\\xff\\xfe.png');
        },
        index: (root) => indexFrames(root, { horizontalFovDegrees: 70 }),
      },
      {
        what: 'a clip folder whose name is not UTF-8',
        build: (root) => {
          const name = Buffer.concat([Buffer.from(join(root, 'clip')), Buffer.from([0xe9])]);
          mkdirSync(name);
          return join(root, 'clip\\xe9');
        },
        index: (root) => indexFrames(root, { horizontalFovDegrees: 70 }),
      },
    ];
    for (const [i, t] of trees.entries()) {
      const root = join(work, `tree${i}`, 'data');
      cpSync(framesRoot, root, { recursive: true });
      rmSync(join(root, 'clip', 'camera.json'), { force: true });
      const file = t.build(root);
      expect(await expectCleanOutcome(tally, 'tree', t.what, [file], () => t.index(root)), t.what).toBe('refused');
    }
    // Names in the project that climb out with .. or are absolute, and links made after the project was created.
    const p = await openProject(projectDir);
    try {
      const ds = { rootPath: data };
      for (const name of ['../outside/elsewhere.png', '../../etc/passwd', '/etc/passwd', 'leftImg8bit/../../x.png', '.']) {
        expect(await expectCleanOutcome(tally, 'dotdot', name, [join(data, name), name], async () => datasetFile(ds, name)), name).toBe('refused');
      }
      const frame = (await listFrames(p.store, { keyframesOnly: true }))[0]!;
      const img = join(data, frame.imagePath);
      const keep = readFileSync(img);
      rmSync(img);
      symlinkSync(join(outside, 'elsewhere.png'), img);
      expect(await expectCleanOutcome(tally, 'late-link', frame.imagePath, [img], async () => datasetFile(ds, frame.imagePath))).toBe('refused');
      rmSync(img);
      writeFileSync(img, keep);

      // 5. The project's own dataset files damaged: importing labels over the saved masks
      // refuses by name and keeps the mask it would have replaced.
      const labelled = await listFrames(p.store, { withGroundTruth: true });
      const expected = new Map(savedMasks.map((m) => [m.frameId, m]));
      for (let i = 0; i < 40; i++) {
        const f = labelled[i % labelled.length]!;
        const path = join(data, f.gtLabelPath!);
        const before = readFileSync(path);
        writeFileSync(path, mutate(before, 'png', r).bytes);
        const outcome = await expectCleanOutcome(tally, 'project-import', f.gtLabelPath!, [path], () => importLabels(p, { frameIds: [f.id], overwrite: true }));
        writeFileSync(path, before);
        const now = await loadMask(p.store, f.id);
        if (outcome === 'refused') {
          expect(now!.row, `case ${i}`).toEqual(expected.get(f.id)!.row);
        } else {
          // The damage left a valid label: replacing the mask was asked for.
          expected.set(f.id, { frameId: f.id, row: now!.row, file: readFileSync(join(projectDir, now!.row.maskPath!)) });
        }
      }
      // Every mask: the row and bytes saved last, each file still decoding.
      for (const m of expected.values()) {
        const now = await loadMask(p.store, m.frameId);
        expect(now!.row).toEqual(m.row);
        expect(readFileSync(join(projectDir, now!.row.maskPath!)).equals(m.file)).toBe(true);
      }
      expect((await listMasks(p.store)).filter((m) => m.maskPath).length).toBe(savedMasks.length);
    } finally {
      await p.close();
    }

    console.log(
      `fuzzed bad input (seed ${SEED}): ${tally.cases} cases, ${tally.loaded} loaded, ${tally.refused} refused with a DataError naming the file; by kind ${JSON.stringify(tally.kinds)}`,
    );
    expect(tally.cases).toBeGreaterThan(1500);
    expect(tally.refused).toBeGreaterThan(tally.cases / 3);
    expect(fx.trainSnippetKey).toBeTruthy();
    expect(UsageError).toBeDefined();
  });
});
