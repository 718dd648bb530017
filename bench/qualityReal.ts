/**
 * The real-data part of the quality benchmark (only where ../shared/data exists):
 * - self-supervised depth on the 6 real Cityscapes snippets (the ego car's bonnet masked),
 *   with colourised disparity images saved for a look, and a plain sanity number: the share
 *   of frames whose lower image half (road, near) has a larger mean disparity than the upper
 *   half (far);
 * - CamVid mIoU with few labels (1/30 of its training images), from scratch and transferred
 *   from that Cityscapes SDE model (CamVid has no video to train SDE on).
 * The data is read in place, never copied: the frames reader takes the snippet folders as clips
 * (pseudo_labelIds holds only sub-folders, so it is no clip).
 */
import type { SdeSettings } from '../src/core/settings';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { colouriseDisparity } from '../src/core/data/colourise';
import { readRgb, writePng } from '../src/core/data/imageIo';
import { loadModelFromFolder } from '../src/core/ml/nets';
import { predictDisparity } from '../src/core/ml/predict';
import { importLabels } from '../src/core/project/importLabels';
import { initProject } from '../src/core/project/initProject';
import { openProject, type OpenProject } from '../src/core/project/openProject';
import type { RunProgress } from '../src/core/project/runLoop';
import { latestModel } from '../src/core/project/projectModels';
import { trainSde } from '../src/core/project/trainSde';
import { trainSeg } from '../src/core/project/trainSeg';
import { createRng, shuffled } from '../src/core/random';
import { listFrames, listRuns, latestCheckpoint } from '../src/core/store';

export interface RealDataResult {
  cityscapesDepth: { snippets: number; steps: number; lowerHalfCloser: number; images: string[] };
  camvid: { labelled: number; trainImages: number; scratch: number; transfer: number; steps: number };
}

const CITYSCAPES_K = { fx: 2262.52, fy: 2265.3, cx: 1096.98, cy: 513.14, width: 2048, height: 1024 };

async function openOrInit(dir: string, init: () => Promise<OpenProject>): Promise<OpenProject> {
  return existsSync(join(dir, 'project.sqlite')) ? Promise.resolve(await openProject(dir)) : init();
}

/** The SDE settings of the real Cityscapes snippets: the small net at 64x128, the bonnet masked. */
export const CITYSCAPES_SDE = { net: 'small', height: 64, width: 128, lr: 5e-4, egoBottomFraction: 0.22 } as const;

/**
 * The SDE model of the 6 real Cityscapes snippets, trained in the project at `dir` (once: a
 * finished run there is reused) with CITYSCAPES_SDE's settings. Returns the open project
 * (close it), the model folder and its checkpoint folder (for trainSeg's sdeCheckpoint).
 */
export async function cityscapesSde(
  shared: string,
  dir: string,
  o: { steps: number; seed?: number; net?: SdeSettings['net']; say: (l: string) => void; onProgress: (p: RunProgress) => void },
): Promise<{ open: OpenProject; modelDir: string; checkpointDir: string }> {
  const seqRoot = join(shared, 'cityscapes-seq');
  const city = await openOrInit(dir, async () => (await initProject({ dir, dataset: seqRoot, format: 'frames', intrinsics: CITYSCAPES_K })).open);
  try {
    if (!(await listRuns(city.store, city.project.id, 'sde')).some((r) => r.status === 'done')) {
      o.say(`== real Cityscapes snippets: SDE ${o.steps} steps (bonnet masked)`);
      const r = await trainSde(city, { ...CITYSCAPES_SDE, ...(o.net ? { net: o.net } : {}), steps: o.steps, seed: o.seed ?? 1 }, { onProgress: o.onProgress });
      if (r.status !== 'done') throw new Error(`real SDE ${r.status}: ${r.error ?? ''}`);
    }
    const m = (await latestModel(city.store, city.project.id, 'sde'))!;
    return { open: city, modelDir: m.modelDir, checkpointDir: join(m.modelDir, '..') };
  } catch (e) {
    await city.close();
    throw e;
  }
}

export async function runRealData(shared: string, workDir: string, o: { quick: boolean; say: (l: string) => void; onProgress: (phase: string, p: RunProgress) => void }): Promise<RealDataResult> {
  const work = resolve(workDir, 'real');
  mkdirSync(work, { recursive: true });
  const seqRoot = join(shared, 'cityscapes-seq');
  const snippets = readdirSync(seqRoot).filter((d) => /^seq\d+$/.test(d)).sort();

  const sdeSteps = o.quick ? 60 : 1000;
  const city = await cityscapesSde(shared, join(work, 'city'), { steps: sdeSteps, say: o.say, onProgress: (p) => o.onProgress('real SDE', p) });
  let images: string[] = [];
  let closer = 0;
  const sdeDir = city.checkpointDir;
  try {
    const model = await loadModelFromFolder(city.modelDir);
    const frames = (await listFrames(city.open.store, {})).filter((f) => f.index === 15);
    const size = { height: CITYSCAPES_SDE.height, width: CITYSCAPES_SDE.width };
    const rasters = await Promise.all(frames.map((f) => readRgb(join(seqRoot, f.imagePath), size)));
    const disps = await predictDisparity(model, rasters);
    model.dispose();
    const outDir = join(work, 'depth-images');
    mkdirSync(outDir, { recursive: true });
    images = [];
    for (const [k] of frames.entries()) {
      const d = disps[k]!;
      const rows = (a: number, b: number) => {
        let s = 0;
        let n = 0;
        for (let y = Math.floor(a * size.height); y < Math.floor(b * size.height); y++) for (let x = 0; x < size.width; x++, n++) s += d[y * size.width + x]!;
        return s / n;
      };
      // Lower half above the bonnet (50-78 % of the height) against the upper half.
      if (rows(0.5, 0.78) > rows(0, 0.5)) closer++;
      const path = join(outDir, `snippet${k}_disparity.png`);
      await writePng(path, colouriseDisparity(size.width, size.height, d));
      await writePng(join(outDir, `snippet${k}_image.png`), rasters[k]!);
      images.push(path);
    }
  } finally {
    await city.open.close();
  }

  const segSteps = o.quick ? 60 : 400;
  const camvidRoot = join(shared, 'camvid');
  const camvid: RealDataResult['camvid'] = { labelled: 0, trainImages: 0, scratch: NaN, transfer: NaN, steps: segSteps };
  for (const mode of ['scratch', 'transfer'] as const) {
    const dir = join(work, `camvid-${mode}`);
    const p = await openOrInit(dir, async () => (await initProject({ dir, dataset: camvidRoot, format: 'camvid' })).open);
    try {
      const train = await listFrames(p.store, { split: 'train' });
      const picked = shuffled(train.map((f) => f.id), createRng(1)).slice(0, Math.max(4, Math.round(train.length / 30)));
      camvid.labelled = picked.length;
      camvid.trainImages = train.length;
      let run = (await listRuns(p.store, p.project.id, 'seg')).find((r) => r.status === 'done');
      if (!run) {
        await importLabels(p, { frameIds: picked });
        o.say(`== CamVid ${mode}: ${picked.length} labelled of ${train.length}, ${segSteps} steps at 96x128`);
        const r = await trainSeg(p, { mode, mix: 'none', net: 'small', height: 96, width: 128, steps: segSteps, ...(mode === 'transfer' ? { sdeCheckpoint: sdeDir } : {}) }, { onProgress: (p) => o.onProgress(`CamVid ${mode}`, p) });
        if (r.status !== 'done') throw new Error(`CamVid ${mode} ${r.status}: ${r.error ?? ''}`);
        run = r.run;
      }
      camvid[mode] = ((await latestCheckpoint(p.store, run.id))!.metrics as { miou: number }).miou;
    } finally {
      await p.close();
    }
  }
  return { cityscapesDepth: { snippets: snippets.length, steps: sdeSteps, lowerHalfCloser: closer / Math.max(1, images.length), images }, camvid };
}

