import { defineStore } from 'pinia';
import { markRaw } from 'vue';
import type { ReviewFrameData, ReviewFrameEntry, ReviewRuns, RunComparison, RunEvaluation, RunSummary } from '../../../core/api/contract';
import { errorText, isProjectClosed } from '../api/errors';
import { useProjectStore } from './project';

export type ReviewLayer = 'prediction' | 'depth' | 'groundTruth' | 'error';
export const REVIEW_LAYERS: readonly ReviewLayer[] = ['prediction', 'depth', 'groundTruth', 'error'];

/** An error in words; null for "the project was closed" (the window's banner says that). */
const message = (e: unknown): string | null => (isProjectClosed(e) ? null : errorText(e));
const call: ReturnType<typeof useProjectStore>['call'] = (method, params) => useProjectStore().call(method, params);

/** Counts loads so an answer for a frame the user already left is dropped. */
let frameToken = 0;

/** The review view: which frame and runs, the frame's outputs, the run's evaluation, a comparison. */
export const useReviewStore = defineStore('review', {
  state: () => ({
    /** The project the choices below belong to. */
    projectDir: null as string | null,
    runs: null as ReviewRuns | null,
    frames: [] as ReviewFrameEntry[],
    frameId: null as number | null,
    /** Chosen runs; null = the latest. */
    segRunId: null as number | null,
    depthRunId: null as number | null,
    frame: null as ReviewFrameData | null,
    loadingFrame: false,
    /** Which segmentation run's IoU table shows; null = the latest. */
    evalRunId: null as number | null,
    evaluation: null as RunEvaluation | null,
    compareA: null as number | null,
    compareB: null as number | null,
    comparison: null as RunComparison | null,
    layout: 'side' as 'side' | 'overlay',
    /** Overlays shown over the image in the overlay layout, and their opacity. */
    layers: { prediction: true, depth: false, groundTruth: false, error: false } as Record<ReviewLayer, boolean>,
    opacity: { prediction: 0.6, depth: 0.7, groundTruth: 0.6, error: 0.7 } as Record<ReviewLayer, number>,
    error: null as string | null,
  }),
  getters: {
    segRuns(state): RunSummary[] {
      return (state.runs?.runs ?? []).filter((r) => r.kind === 'seg' && r.segments);
    },
    depthRuns(state): RunSummary[] {
      return (state.runs?.runs ?? []).filter((r) => r.depth);
    },
    /** Segmentation runs that recorded an evaluation (comparable). */
    evaluatedRuns(state): RunSummary[] {
      return (state.runs?.runs ?? []).filter((r) => r.kind === 'seg' && r.miou !== null);
    },
    frameIndex(state): number {
      return state.frames.findIndex((f) => f.frameId === state.frameId);
    },
  },
  actions: {
    /** Entering the view: runs, frames, the evaluation of the latest run; shows `frameId` (or the first frame). */
    async open(projectDir: string, frameId: number | null): Promise<void> {
      this.error = null;
      if (this.projectDir !== projectDir) {
        // Another project: its runs and frames have other ids.
        Object.assign(this, { projectDir, segRunId: null, depthRunId: null, evalRunId: null, compareA: null, compareB: null });
        Object.assign(this, { frame: null, evaluation: null, comparison: null, frameId: null });
      }
      try {
        const [runs, frames] = await Promise.all([call('reviewRuns', {}), call('reviewFrames', {})]);
        this.runs = runs;
        this.frames = frames;
        const evaluated = this.evaluatedRuns;
        const known = (id: number | null): boolean => evaluated.some((r) => r.id === id);
        if (!(known(this.compareA) && known(this.compareB)) && evaluated.length >= 2) {
          this.compareA = evaluated[evaluated.length - 2]!.id;
          this.compareB = evaluated[evaluated.length - 1]!.id;
        }
      } catch (e) {
        this.error = message(e);
        return;
      }
      const id = frameId !== null && this.frames.some((f) => f.frameId === frameId) ? frameId : (this.frames[0]?.frameId ?? frameId);
      await Promise.all([id !== null ? this.showFrame(id) : Promise.resolve(), this.loadEvaluation(), this.compareRuns()]);
    },
    async showFrame(frameId: number): Promise<void> {
      this.frameId = frameId;
      const token = ++frameToken;
      this.loadingFrame = true;
      try {
        const f = await call('reviewFrame', {
          frameId,
          ...(this.segRunId !== null ? { segRunId: this.segRunId } : {}),
          ...(this.depthRunId !== null ? { depthRunId: this.depthRunId } : {}),
        });
        if (token !== frameToken) return;
        this.frame = markRaw(f);
        this.error = null;
      } catch (e) {
        if (token === frameToken) this.error = message(e);
      } finally {
        if (token === frameToken) this.loadingFrame = false;
      }
    },
    /** The frame `step` places before or after the current one in the list. */
    neighbour(step: number): number | null {
      if (this.frames.length === 0) return null;
      const i = this.frameIndex < 0 ? 0 : this.frameIndex;
      return this.frames[(i + step + this.frames.length) % this.frames.length]!.frameId;
    },
    async chooseRuns(seg: number | null, depth: number | null): Promise<void> {
      this.segRunId = seg;
      this.depthRunId = depth;
      if (this.frameId !== null) await this.showFrame(this.frameId);
    },
    /** Shows the named run's IoU (null: the latest); without an argument, the one chosen before. */
    async loadEvaluation(runId?: number | null): Promise<void> {
      if (runId !== undefined) this.evalRunId = runId;
      const id = this.evalRunId;
      try {
        this.evaluation = await call('reviewEvaluation', id !== null ? { runId: id } : {});
      } catch (e) {
        this.error = message(e);
      }
    },
    async compareRuns(): Promise<void> {
      if (this.compareA === null || this.compareB === null || this.compareA === this.compareB) {
        this.comparison = null;
        return;
      }
      try {
        this.comparison = await call('reviewCompare', { runA: this.compareA, runB: this.compareB });
      } catch (e) {
        this.error = message(e);
      }
    },
  },
});
