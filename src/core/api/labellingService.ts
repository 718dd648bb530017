/** The labelling queue, frames to paint and their masks, over the open project. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { DataError, UsageError } from '../errors';
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
  changeMaskStatus,
  leaseNextFrame,
  maskHistory,
  releaseLease,
  reviewMask,
  DEFAULT_LEASE_MS,
  type LabelMaskRow,
  type MaskStatus,
  type Frame,
} from '../store';
import type { Caller } from './caller';
import { confinedFile } from './confinedFile';
import type { ApiParams, FrameData, FrameEntry, FrameLease, MaskEventInfo, MaskSaved, MaskWorkInfo } from './contract';
import type { OpenProject } from '../project/openProject';
import { allowedRoots, projectDatasets } from './projectSession';

const MIME: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

/** Suggested frames in the order proposed; without any selection round, the datasets' keyframes. */
export async function frameList(open: OpenProject, p: ApiParams<'frameList'>): Promise<FrameEntry[]> {
  const { store, project } = open;
  const suggestions = await listSuggestions(store, project.id);
  const rows = new Map((await listMasks(store, { projectId: project.id })).map((m) => [m.frameId, m]));
  const now = store.now();
  const work = (frameId: number) => maskWork(rows.get(frameId), now);
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
        work: work(f.id),
      };
    }));
  } else {
    const datasets = await projectDatasets(open);
    entries = (await Promise.all(datasets.map(async (d) => await listFrames(store, { datasetId: d.id, keyframesOnly: true, split: 'train' }))))
      .flat()
      .map((f) => ({
        frameId: f.id,
        imagePath: f.imagePath,
        split: f.split,
        width: f.width,
        height: f.height,
        status: rows.get(f.id)?.status ?? 'todo',
        source: 'keyframe',
        rank: null,
        method: null,
        score: null,
        diversityScore: null,
        uncertaintyScore: null,
        uncertaintyWeight: null,
        work: work(f.id),
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
  const [previous, next] = await neighbourFrames(store, frameId, [-1, 1]);
  return {
    frameId,
    imagePath: frame.imagePath,
    width: frame.width,
    height: frame.height,
    imageDataUrl: `data:${mime};base64,${readFileSync(file).toString('base64')}`,
    maskBase64: saved ? Buffer.from(saved.mask.data.buffer, saved.mask.data.byteOffset, saved.mask.data.byteLength).toString('base64') : null,
    maskVersion: row?.version ?? 0,
    status: row?.status ?? 'todo',
    nextInClip: next?.id ?? null,
    previousInClip: previous?.id ?? null,
    work: maskWork(row, store.now()),
  };
}

/** Who works on a frame's mask, as the queue and the annotator show it (an ended lease shows as none). */
function maskWork(row: LabelMaskRow | undefined, now: string): MaskWorkInfo {
  const held = row?.leaseHolder && row.leaseUntil && row.leaseUntil > now;
  return {
    author: row?.author ?? null,
    leaseHolder: held ? row!.leaseHolder : null,
    leaseUntil: held ? row!.leaseUntil : null,
    review: row?.review ?? null,
  };
}

/**
 * Who acts: the signed-in caller of a team server, else the service's own user. A caller
 * (team mode) takes or renews the frame's lease with each save; the single local user takes
 * none, and nobody else can hold a frame there.
 */
export interface Actor {
  readonly user: string;
  readonly caller?: Caller;
}

export async function maskSave(open: OpenProject, p: ApiParams<'maskSave'>, actor: Actor): Promise<MaskSaved> {
  const { store } = open;
  await checkInProject(open, p.frameId);
  const bytes = Buffer.from(p.maskBase64, 'base64');
  const data = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const row = await saveMask(store, p.frameId, { width: p.width, height: p.height, data }, actor.user, {
    expectedVersion: p.expectedVersion,
    ...(actor.caller ? { leaseMs: DEFAULT_LEASE_MS } : {}),
    ...(p.status ? { status: p.status } : {}),
  });
  return { frameId: row.frameId, version: row.version, status: row.status };
}

export async function maskSetStatus(open: OpenProject, frameId: number, status: MaskStatus, actor: Actor): Promise<MaskSaved> {
  await checkInProject(open, frameId);
  const row = await changeMaskStatus(open.store, frameId, status, actor.user);
  return { frameId, version: row.version, status: row.status };
}

/** The next frame of the queue nobody else holds, leased to the actor. */
export async function frameNext(open: OpenProject, actor: Actor): Promise<FrameLease> {
  // Keyframes before any selection round may have no row yet: they join the queue as todo
  // (a round's picks got theirs when it was made).
  const queue = await frameList(open, { projectId: open.project.id, status: 'todo' });
  const queued = queue.filter((e) => e.source === 'keyframe').map((e) => e.frameId);
  const row = await leaseNextFrame(open.store, open.project.id, actor.user, { queue: queued });
  return { frameId: row?.frameId ?? null, holder: actor.user, leaseUntil: row?.leaseUntil ?? null };
}

export async function frameRelease(open: OpenProject, frameId: number, actor: Actor): Promise<{ released: boolean }> {
  await checkInProject(open, frameId);
  return { released: await releaseLease(open.store, frameId, actor.user) };
}

/**
 * A reviewer's verdict. Role enforcement for every method lives with the team server; this
 * refuses an annotator here as well, so no path lets one approve their own work.
 */
export async function maskReview(open: OpenProject, p: ApiParams<'maskReview'>, actor: Actor): Promise<MaskSaved> {
  if (actor.caller?.role === 'annotator') {
    throw new UsageError(`${actor.caller.user} is an annotator: only a reviewer or an engineer may approve or send back a mask`);
  }
  await checkInProject(open, p.frameId);
  const row = await reviewMask(open.store, p.frameId, actor.user, p.verdict === 'approve' ? 'approved' : 'sent_back', p.comment ?? null);
  return { frameId: row.frameId, version: row.version, status: row.status };
}

export async function maskHistoryOf(open: OpenProject, frameId: number): Promise<MaskEventInfo[]> {
  await checkInProject(open, frameId);
  return (await maskHistory(open.store, frameId)).map(({ at, actor, action, version, comment }) => ({ at, actor, action, version, comment }));
}
