/**
 * Where per-frame outputs go (predictions, exported labels), and the per-run ledger that keeps
 * one run from writing a file twice. One rule for every writer (docs/dataset-layout.md,
 * "Per-frame outputs"):
 *
 *   {out}/[{dataset}/][{section}/]{folder}/{stem}{suffix}
 *
 * - `{folder}` is the frame's folder within its dataset: the clip folder for plain frames,
 *   `{split}/{city}` for Cityscapes (without the `leftImg8bit` / `leftImg8bit_sequence` top),
 *   `{split}` for CamVid. Frame numbers restart per clip folder, so the folder is part of a
 *   frame's identity.
 * - `{stem}` is the image's file name without extension (and without Cityscapes' `_leftImg8bit`).
 * - `{dataset}` is the dataset's name, only where the project holds more than one dataset.
 * - `{section}` is the writer's own top folder, if it has one (export: `gtFine` for Cityscapes,
 *   `labels` for a custom label set); CamVid's export appends `annot` to the split folder instead.
 */
import { mkdirSync } from 'node:fs';
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from 'node:path';
import { DataError } from '../errors';
import { listClips, listDatasets, type Dataset, type Frame, type ProjectStore } from '../store';

/** Cityscapes image folders whose name is not part of the output path (both hold the same frames). */
const CITYSCAPES_IMAGE_TOPS = new Set(['leftImg8bit', 'leftImg8bit_sequence']);

/**
 * A frame's output path relative to its dataset's output folder, without suffix: the frame's
 * folder within the dataset and its image name, e.g. `seq1/000000` (plain frames),
 * `train/aachen/aachen_000000_000019` (Cityscapes), `train/0001TP_006690` (CamVid).
 * POSIX separators.
 */
export function frameOutputPath(dataset: Pick<Dataset, 'format'>, frame: Pick<Frame, 'imagePath'>): string {
  const parts = frame.imagePath.split(/[\\/]+/).filter((s) => s !== '' && s !== '.');
  const name = parts.pop() ?? frame.imagePath;
  if (dataset.format === 'cityscapes' && parts.length > 0 && CITYSCAPES_IMAGE_TOPS.has(parts[0]!)) parts.shift();
  const stem = name.replace(/\.(png|jpe?g)$/i, '').replace(/_leftImg8bit$/, '');
  return posix.join(...parts, stem);
}

/** Where in the layout a writer puts its files: its own top folder, and/or a suffix on the frame's first folder (CamVid's `trainannot`). */
export interface OutputPlace {
  readonly section?: string;
  readonly splitSuffix?: string;
}

/** The output paths of a project's frames (the layout in the module comment). */
export interface FrameOutputLayout {
  /** `[{dataset}/][{section}/]{folder}/{stem}`, relative to the output folder, POSIX separators. */
  pathOf(frame: Frame, place?: OutputPlace): string;
  /** The frame's image file (absolute), to name the frame in messages. */
  imageOf(frame: Frame): string;
}

/** The layout of a project's outputs: the dataset prefix where it holds more than one dataset. */
export async function frameOutputLayout(store: ProjectStore, projectId: number): Promise<FrameOutputLayout> {
  const datasets = new Map((await listDatasets(store, projectId)).map((d) => [d.id, d]));
  const prefixed = datasets.size > 1;
  // Every clip's dataset, read once, so the layout answers without going back to the database.
  const datasetOfClip = new Map<number, Dataset>();
  for (const d of datasets.values()) for (const c of await listClips(store, d.id)) datasetOfClip.set(c.id, d);
  const datasetOf = (frame: Frame): Dataset => {
    const d = datasetOfClip.get(frame.clipId);
    if (!d) throw new DataError(store.dir, `frame ${frame.imagePath} belongs to clip ${frame.clipId}, which is not part of project ${projectId}`);
    return d;
  };
  return {
    pathOf(frame, place = {}) {
      const d = datasetOf(frame);
      let rel = frameOutputPath(d, frame);
      if (place.splitSuffix && rel.includes('/')) rel = rel.replace(/^[^/]+/, (first) => `${first}${place.splitSuffix}`);
      return posix.join(...(prefixed ? [d.name] : []), ...(place.section ? [place.section] : []), rel);
    },
    imageOf: (frame) => join(datasetOf(frame).rootPath, frame.imagePath),
  };
}

/** Case-insensitive file systems are the default on macOS and Windows: `A.png` and `a.png` are one file there. */
const fileKey = (abs: string): string => (process.platform === 'darwin' || process.platform === 'win32' ? abs.toLowerCase() : abs);

/**
 * The files one run writes under an output folder. Every file is claimed first, by the frame it
 * belongs to; `refuseCollisions` then throws, before anything is written, where two frames
 * claimed the same file, naming the frames. `write` writes a claimed file at most once and
 * counts what was written.
 */
export class OutputLedger {
  private readonly claims = new Map<string, { path: string; frames: string[] }>();
  private readonly done = new Set<string>();
  private written = 0;

  constructor(readonly out: string) {}

  /** Claims `rel` (relative to the output folder) for `frame` (how messages name it); returns the absolute path. */
  claim(frame: string, rel: string): string {
    const root = resolve(this.out);
    const path = resolve(root, rel);
    const inside = relative(root, path);
    if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) throw new DataError(path, `output of ${frame} would be outside the output folder ${root}`);
    const key = fileKey(path);
    const c = this.claims.get(key);
    if (!c) this.claims.set(key, { path, frames: [frame] });
    else if (!c.frames.includes(frame)) c.frames.push(frame);
    return path;
  }

  /** The files claimed by more than one frame, with those frames. */
  collisions(): { path: string; frames: string[] }[] {
    return [...this.claims.values()].filter((c) => c.frames.length > 1).map((c) => ({ path: c.path, frames: [...c.frames] }));
  }

  /**
   * Throws a DataError naming the frames that would write the same files (grouped by frames,
   * files relative to the output folder); call it after claiming, before the first write.
   */
  refuseCollisions(): void {
    const all = this.collisions();
    if (all.length === 0) return;
    const root = resolve(this.out);
    const groups = new Map<string, { frames: string[]; files: string[] }>();
    for (const c of all) {
      const key = c.frames.join('\n');
      const g = groups.get(key) ?? { frames: c.frames, files: [] };
      g.files.push(relative(root, c.path).split(sep).join('/'));
      groups.set(key, g);
    }
    const list = [...groups.values()];
    const shown = list.slice(0, 5).map((g) => `${g.frames.join(' and ')} would ${g.frames.length === 2 ? 'both' : 'all'} write ${g.files.join(', ')}`);
    const more = list.length > shown.length ? `; and ${list.length - shown.length} more groups of frames` : '';
    throw new DataError(
      root,
      `refusing to write: ${all.length} output file${all.length === 1 ? '' : 's'} would be written by more than one frame, each overwriting the other: ${shown.join('; ')}${more}. Give those frames different names in the dataset`,
    );
  }

  /**
   * Writes a claimed file with `write(path)`, creating its folder; refuses a file not claimed or
   * already written in this run.
   */
  async write(file: string, write: (path: string) => Promise<unknown> | unknown): Promise<void> {
    const path = resolve(file);
    const key = fileKey(path);
    const c = this.claims.get(key);
    if (!c) throw new DataError(path, 'was not claimed for this run, so the run cannot tell whether another frame writes it');
    if (this.done.has(key)) throw new DataError(path, `was already written in this run; refusing to overwrite it (frames ${c.frames.join(', ')})`);
    this.done.add(key);
    mkdirSync(dirname(path), { recursive: true });
    await write(path);
    this.written++;
  }

  /** Files written so far. */
  get files(): number {
    return this.written;
  }
}
