import { basename, relative, resolve } from 'node:path';
import {
  detectFormat,
  indexCamvid,
  indexCityscapes,
  indexFrames,
  requireInsideRoot,
  type DatasetFormat,
  type DatasetIndex,
  type Intrinsics,
} from '../data';
import { DataError, UsageError } from '../errors';
import { chooseLabelSet, type ClassInput } from '../labels';
import {
  addClip,
  addDataset,
  createPostgresProject,
  createProject,
  insertFrames,
  listDatasets,
  mainProject,
  openProjectStore,
  transaction,
  type NewFrame,
} from '../store';
import type { OpenProject } from './openProject';

export interface InitProjectOptions {
  /** The project folder (created if missing). */
  readonly dir: string;
  /** The dataset folder to add. */
  readonly dataset: string;
  /** Format of the dataset; detected from its folders when omitted. */
  readonly format?: DatasetFormat;
  readonly name?: string;
  /** Plain frames without a camera.json: intrinsics from this horizontal field of view. */
  readonly horizontalFovDegrees?: number;
  readonly intrinsics?: Intrinsics;
  /**
   * The project's own label set (names, optional colours), for a new project on a dataset
   * without labels; a dataset with labels brings its own set (Cityscapes, CamVid).
   */
  readonly classes?: readonly ClassInput[];
  /**
   * A PostgreSQL URL: the project's rows go to that database (empty, or already this
   * project's) instead of an SQLite file in the folder; the folder keeps masks, checkpoints
   * and the pointer file naming the database.
   */
  readonly db?: string;
}

export interface InitSummary {
  readonly projectDir: string;
  readonly datasetId: number;
  readonly format: DatasetFormat;
  readonly clips: number;
  readonly frames: number;
  readonly keyframes: number;
  readonly withGroundTruth: number;
}

async function indexDataset(root: string, format: DatasetFormat, opts: InitProjectOptions): Promise<DatasetIndex> {
  switch (format) {
    case 'cityscapes':
      return indexCityscapes(root, opts.intrinsics ? { intrinsics: opts.intrinsics } : {});
    case 'camvid':
      return indexCamvid(root);
    case 'frames':
      return indexFrames(root, {
        ...(opts.intrinsics ? { intrinsics: opts.intrinsics } : {}),
        ...(opts.horizontalFovDegrees ? { horizontalFovDegrees: opts.horizontalFovDegrees } : {}),
      });
  }
}

/** `p` relative to the dataset root; refused (DataError) where it, or the file a link at it names, is outside the root. */
const rel = (root: string, p: string): string => relative(root, requireInsideRoot(root, p)).split('\\').join('/');

/**
 * Creates a project (or opens the one in `dir`) and adds a dataset to it: every clip and frame
 * is recorded with paths relative to the dataset root, in one transaction, so a failure
 * leaves the project as it was.
 */
export async function initProject(opts: InitProjectOptions): Promise<{ open: OpenProject; summary: InitSummary }> {
  const datasetRoot = resolve(opts.dataset);
  const format = opts.format ?? detectFormat(datasetRoot);
  const index = await indexDataset(datasetRoot, format, opts);
  const store = opts.db ? await createPostgresProject(opts.dir, opts.db) : await openProjectStore(opts.dir);
  try {
    const existing = await mainProject(store);
    if (existing && opts.classes) {
      throw new UsageError(`the project in ${store.dir} already has its label set (${existing.labelSet.title}); classes can only be given when a project is created`);
    }
    const project =
      existing ?? await createProject(store, { name: opts.name ?? basename(resolve(opts.dir)), labelSet: chooseLabelSet(index.classSet, opts.classes, datasetRoot) });
    if ((await listDatasets(store, project.id)).some((d) => resolve(d.rootPath) === datasetRoot)) {
      throw new UsageError(`${datasetRoot} is already part of the project in ${store.dir}`);
    }
    if (index.classSet && index.classSet !== project.labelSet.kind) {
      throw new UsageError(
        `${datasetRoot} has ${index.classSet === 'camvid' ? 'CamVid' : 'Cityscapes'} labels, but the project in ${store.dir} uses ${project.labelSet.title}: a project's datasets must share its label set`,
      );
    }
    let clips = 0;
    let frames = 0;
    let keyframes = 0;
    let withGroundTruth = 0;
    const datasetId = await transaction(store, async () => {
      const dataset = await addDataset(store, {
        projectId: project.id,
        name: basename(datasetRoot),
        format,
        rootPath: datasetRoot,
        options: { classSet: index.classSet },
      });
      for (const part of Object.values(index.splits)) {
        if (!part) continue;
        const framesByClip = new Map<string, typeof part.frames>();
        for (const f of part.frames) {
          if (f.clipKey) framesByClip.set(f.clipKey, [...(framesByClip.get(f.clipKey) ?? []), f]);
        }
        // Video clips: every frame, the labelled one marked as keyframe with its label.
        for (const c of part.clips) {
          const clip = await addClip(store, {
            datasetId: dataset.id,
            key: c.key,
            split: c.split,
            intrinsics: { fx: c.intrinsics.fx, fy: c.intrinsics.fy, cx: c.intrinsics.cx, cy: c.intrinsics.cy, width: c.width, height: c.height },
          });
          const labelled = new Map((framesByClip.get(c.key) ?? []).map((f) => [f.indexInClip, f]));
          const rows: NewFrame[] = c.framePaths.map((p, i) => {
            const lf = labelled.get(i);
            return {
              clipId: clip.id,
              index: i,
              // The labelled image (leftImg8bit) where there is one, else the sequence frame.
              imagePath: rel(datasetRoot, lf?.imagePath ?? p),
              split: c.split,
              // A keyframe is a frame offered for labelling: the clip's labelled frame, or any
              // frame the reader lists as a single image (plain frames: all of them).
              isKeyframe: c.keyframeIndex === i || lf !== undefined,
              width: c.width,
              height: c.height,
              gtLabelPath: lf?.label ? rel(datasetRoot, lf.label.path) : null,
              depthPath: c.depthPaths?.[i] ? rel(datasetRoot, c.depthPaths[i]!) : null,
            };
          });
          await insertFrames(store, rows);
          clips++;
          frames += rows.length;
          keyframes += rows.filter((r) => r.isKeyframe).length;
          withGroundTruth += rows.filter((r) => r.gtLabelPath).length;
        }
        // Single images without a clip (CamVid, Cityscapes frames without a sequence): a clip each.
        for (const f of part.frames) {
          if (f.clipKey && part.clips.some((c) => c.key === f.clipKey)) continue;
          const clip = await addClip(store, { datasetId: dataset.id, key: f.key, split: f.split });
          await insertFrames(store, [
            {
              clipId: clip.id,
              index: 0,
              imagePath: rel(datasetRoot, f.imagePath),
              split: f.split,
              isKeyframe: true,
              width: f.width,
              height: f.height,
              gtLabelPath: f.label ? rel(datasetRoot, f.label.path) : null,
              depthPath: f.depthPath ? rel(datasetRoot, f.depthPath) : null,
            },
          ]);
          clips++;
          frames++;
          keyframes++;
          if (f.label) withGroundTruth++;
        }
      }
      if (frames === 0) throw new DataError(datasetRoot, `no frames found for format ${format}`);
      return dataset.id;
    });
    return {
      open: { store, project, close: async () => await store.close() },
      summary: { projectDir: store.dir, datasetId, format, clips, frames, keyframes, withGroundTruth },
    };
  } catch (e) {
    await store.close();
    throw e;
  }
}
