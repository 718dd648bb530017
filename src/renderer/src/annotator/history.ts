/**
 * Undo/redo for a MaskDocument, one step per stroke (or fill, or polygon), storing only what
 * changed. Plain TypeScript, no DOM.
 *
 * How: the history keeps a shadow copy of the mask as of the last committed step. Edits go
 * to the mask and report their dirty rectangles (`touch`); `commit` compares mask and shadow
 * inside the union of those rectangles, shrinks it to the pixels that really changed, and
 * stores a patch: the before and after bytes of that rectangle, or, when few of its pixels
 * changed (a thin diagonal stroke), just the changed pixels' indices with their before and
 * after values, whichever is smaller. Nothing is copied while painting, only at commit.
 *
 * Memory: the patches of both stacks together stay within `capBytes`; the oldest undo steps
 * are dropped to make room, and a single step larger than the cap is applied but cannot be
 * undone (the stacks are then emptied). The shadow copy (width * height bytes) is extra.
 * A new step after an undo drops the redo stack.
 */
import type { MaskDocument } from './maskDocument';
import { type Rect, unionRect } from './rect';

/** A dense patch: the rectangle's bytes before and after, row-major. */
interface DensePatch {
  readonly kind: 'dense';
  readonly rect: Rect;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

/** A sparse patch: mask indices of the changed pixels and their values. */
interface SparsePatch {
  readonly kind: 'sparse';
  readonly rect: Rect;
  readonly indices: Uint32Array;
  readonly before: Uint8Array;
  readonly after: Uint8Array;
}

type Patch = DensePatch | SparsePatch;

/** An undo step as `lastStep` hands it out, to ask later where it is (`whereIs`). */
export interface EditStep {
  readonly rect: Rect;
}

/** 64 MiB: sixteen full-frame steps of a 2048x1024 mask, hundreds of ordinary strokes. */
export const DEFAULT_HISTORY_CAP_BYTES = 64 * 1024 * 1024;

function patchBytes(p: Patch): number {
  return p.kind === 'dense'
    ? p.before.byteLength + p.after.byteLength
    : p.indices.byteLength + p.before.byteLength + p.after.byteLength;
}

export class EditHistory {
  private readonly mask: MaskDocument;
  private readonly shadow: Uint8Array;
  private readonly capBytes: number;
  private undoStack: Patch[] = [];
  private redoStack: Patch[] = [];
  private pending: Rect | null = null;
  private storedBytes = 0;

  constructor(mask: MaskDocument, capBytes = DEFAULT_HISTORY_CAP_BYTES) {
    if (!(capBytes >= 0)) throw new RangeError(`history cap must be >= 0 bytes, got ${capBytes}`);
    this.mask = mask;
    this.shadow = mask.data.slice();
    this.capBytes = capBytes;
  }

  /** Records that the mask may have changed inside `rect` since the last commit. */
  touch(rect: Rect | null): void {
    this.pending = unionRect(this.pending, rect);
  }

  /** Whether edits are waiting for `commit`. */
  get hasPending(): boolean {
    return this.pending !== null;
  }

  /**
   * Ends the current step. Returns the rectangle that really changed, or null when the
   * step changed nothing (then no undo step is made and the redo stack is kept).
   */
  commit(): Rect | null {
    const area = this.pending;
    this.pending = null;
    if (!area) return null;
    const patch = this.diff(area);
    if (!patch) return null;
    this.applyToShadow(patch, 'after');
    this.storedBytes -= this.redoStack.reduce((s, p) => s + patchBytes(p), 0);
    this.redoStack = [];
    this.undoStack.push(patch);
    this.storedBytes += patchBytes(patch);
    this.enforceCap();
    return patch.rect;
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  /** Steps that can be undone / redone now. */
  get depth(): { undo: number; redo: number } {
    return { undo: this.undoStack.length, redo: this.redoStack.length };
  }

  /** The step the next undo would undo (the last one made or redone); null when there is none. */
  get lastStep(): EditStep | null {
    return this.undoStack.at(-1) ?? null;
  }

  /**
   * Where a step is now: done (undo would reach it), undone (redo would), or gone (dropped
   * by a new step after undoing it, by the cap, or by reset).
   */
  whereIs(step: EditStep): 'done' | 'undone' | 'gone' {
    if (this.undoStack.includes(step as Patch)) return 'done';
    if (this.redoStack.includes(step as Patch)) return 'undone';
    return 'gone';
  }

  /** Bytes held by the patches of both stacks (without the shadow copy). */
  get bytesUsed(): number {
    return this.storedBytes;
  }

  /**
   * Undoes the last step (committing a pending one first) and returns the rectangle to
   * redraw, or null when there is nothing to undo.
   */
  undo(): Rect | null {
    this.commit();
    const patch = this.undoStack.pop();
    if (!patch) return null;
    this.apply(patch, 'before');
    this.redoStack.push(patch);
    return patch.rect;
  }

  /** Redoes the last undone step; returns the rectangle to redraw, or null. */
  redo(): Rect | null {
    this.commit(); // a real edit since the undo empties the redo stack
    const patch = this.redoStack.pop();
    if (!patch) return null;
    this.apply(patch, 'after');
    this.undoStack.push(patch);
    return patch.rect;
  }

  /** Forgets every step and takes the mask as it is now as the base (e.g. a new frame). */
  reset(): void {
    this.undoStack = [];
    this.redoStack = [];
    this.pending = null;
    this.storedBytes = 0;
    this.shadow.set(this.mask.data);
  }

  private diff(area: Rect): Patch | null {
    const { width, data } = this.mask;
    const shadow = this.shadow;
    let changed = 0;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let y = area.y; y < area.y + area.height; y++) {
      const row = y * width;
      for (let x = area.x; x < area.x + area.width; x++) {
        if (data[row + x] !== shadow[row + x]) {
          changed++;
          if (x < x0) x0 = x;
          if (x > x1) x1 = x;
          if (y < y0) y0 = y;
          y1 = y;
        }
      }
    }
    if (changed === 0) return null;
    const rect: Rect = { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
    const denseBytes = 2 * rect.width * rect.height;
    const sparseBytes = 6 * changed;
    if (sparseBytes < denseBytes) {
      const indices = new Uint32Array(changed);
      const before = new Uint8Array(changed);
      const after = new Uint8Array(changed);
      let k = 0;
      for (let y = y0; y <= y1; y++) {
        const row = y * width;
        for (let x = x0; x <= x1; x++) {
          const i = row + x;
          if (data[i] !== shadow[i]) {
            indices[k] = i;
            before[k] = shadow[i];
            after[k] = data[i];
            k++;
          }
        }
      }
      return { kind: 'sparse', rect, indices, before, after };
    }
    const before = new Uint8Array(rect.width * rect.height);
    const after = new Uint8Array(rect.width * rect.height);
    for (let y = 0; y < rect.height; y++) {
      const from = (y0 + y) * width + x0;
      before.set(shadow.subarray(from, from + rect.width), y * rect.width);
      after.set(data.subarray(from, from + rect.width), y * rect.width);
    }
    return { kind: 'dense', rect, before, after };
  }

  private apply(patch: Patch, side: 'before' | 'after'): void {
    writePatch(this.mask.data, this.mask.width, patch, side);
    writePatch(this.shadow, this.mask.width, patch, side);
  }

  private applyToShadow(patch: Patch, side: 'before' | 'after'): void {
    writePatch(this.shadow, this.mask.width, patch, side);
  }

  private enforceCap(): void {
    while (this.storedBytes > this.capBytes && this.undoStack.length > 0) {
      const dropped = this.undoStack.shift() as Patch;
      this.storedBytes -= patchBytes(dropped);
    }
  }
}

function writePatch(target: Uint8Array, width: number, patch: Patch, side: 'before' | 'after'): void {
  const values = patch[side];
  if (patch.kind === 'sparse') {
    const { indices } = patch;
    for (let k = 0; k < indices.length; k++) target[indices[k]] = values[k];
    return;
  }
  const { x, y, width: w, height: h } = patch.rect;
  for (let row = 0; row < h; row++) {
    target.set(values.subarray(row * w, (row + 1) * w), (y + row) * width + x);
  }
}
