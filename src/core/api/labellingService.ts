/** The labelling queue, frames to paint and their masks, over the open project. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError } from '../errors';
import {
  getDataset,
  getFrame,
  getClip,
  getMaskRow,
  listFrames,
  listMasks,
  listSuggestions,
  loadMask,
  neighbourFrames,
  saveMask,
  setMaskStatus,
  type MaskStatus,
  type Frame,
} from '../store';
import { confinedFile } from './confinedFile';
import type { ApiParams, FrameData, FrameEntry, MaskSaved } from './contract';
import type { OpenProject } from '../project/openProject';
import { allowedRoots, projectDatasets } from './projectSession';

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** Suggested frames in the order proposed; without any selection round, the datasets' keyframes. */
export async function frameList(open: OpenProject, p: ApiParams<'frameList'>): Promise<FrameEntry[]> {
  const { store, project } = open;
  const suggestions = await listSuggestions(store, project.id);
  let entries: FrameEntry[];
  if (suggestions.length > 0) {
    entries = await Promise.all(suggestions.map(async (s): Promise<FrameEntry> => {
      const f = await getFrame(store, s.frameId);
      return {
        frameId: f.id,
        imagePath: f.imagePath,
        split: f.split,
        width: f.width,
        height: f.height,
        status: s.status,
        source: 'suggested',
        rank: s.rank,
        method: s.method,
        score: s.score,
        diversityScore: s.diversityScore,
        uncertaintyScore: s.uncertaintyScore,
        uncertaintyWeight: s.uncertaintyWeight,
      };
    }));
  } else {
    const status = new Map((await listMasks(store, { projectId: project.id })).map((m) => [m.frameId, m.status]));
    const datasets = await projectDatasets(open);
    entries = (await Promise.all(datasets.map(async (d) => await listFrames(store, { datasetId: d.id, keyframesOnly: true, split: 'train' }))))
      .flat()
      .map((f) => ({
        frameId: f.id,
        imagePath: f.imagePath,
        split: f.split,
        width: f.width,
        height: f.height,
        status: status.get(f.id) ?? 'todo',
        source: 'keyframe',
        rank: null,
        method: null,
        score: null,
        diversityScore: null,
        uncertaintyScore: null,
        uncertaintyWeight: null,
      }));
  }
  if (p.status) entries = entries.filter((e) => e.status === p.status);
  return p.limit ? entries.slice(0, p.limit) : entries;
}

async function checkInProject(open: OpenProject, frameId: number): Promise<void> {
  const { store, project } = open;
  const frame = await getFrame(store, frameId);
  const dataset = await getDataset(store, (await getClip(store, frame.clipId)).datasetId);
  if (dataset.projectId !== project.id) throw new DataError(`frame ${frameId}`, 'belongs to another project');
}

/** A frame of the open project and its image file (confined to the project's dataset roots). */
export async function frameImageFile(open: OpenProject, frameId: number): Promise<{ frame: Frame; file: string }> {
  const { store } = open;
  await checkInProject(open, frameId);
  const frame = await getFrame(store, frameId);
  const dataset = await getDataset(store, (await getClip(store, frame.clipId)).datasetId);
  return { frame, file: confinedFile(dataset.rootPath, frame.imagePath, await allowedRoots(open)) };
}

export async function frameGet(open: OpenProject, frameId: number): Promise<FrameData> {
  const { store } = open;
  const { frame, file } = await frameImageFile(open, frameId);
  const mime = MIME[extname(file).toLowerCase()];
  if (!mime) throw new DataError(file, `cannot be shown: ${extname(file) || 'no extension'} is not png, jpg or webp`);
  const saved = await loadMask(store, frameId);
  const row = saved?.row ?? await getMaskRow(store, frameId);
  return {
    frameId,
    imagePath: frame.imagePath,
    width: frame.width,
    height: frame.height,
    imageDataUrl: `data:${mime};base64,${readFileSync(file).toString('base64')}`,
    maskBase64: saved ? Buffer.from(saved.mask.data.buffer, saved.mask.data.byteOffset, saved.mask.data.byteLength).toString('base64') : null,
    maskVersion: row?.version ?? 0,
    status: row?.status ?? 'todo',
    nextInClip: (await neighbourFrames(store, frameId, [1]))[0]?.id ?? null,
  };
}

export async function maskSave(open: OpenProject, p: ApiParams<'maskSave'>, author: string): Promise<MaskSaved> {
  const { store } = open;
  await checkInProject(open, p.frameId);
  const bytes = Buffer.from(p.maskBase64, 'base64');
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const row = await saveMask(store, p.frameId, { width: p.width, height: p.height, data }, author, {
    expectedVersion: p.expectedVersion,
    ...(p.status ? { status: p.status } : {}),
  });
  return { frameId: row.frameId, version: row.version, status: row.status };
}

export async function maskSetStatus(open: OpenProject, frameId: number, status: MaskStatus): Promise<MaskSaved> {
  await checkInProject(open, frameId);
  const row = await setMaskStatus(open.store, frameId, status);
  return { frameId, version: row.version, status: row.status };
}
