/**
 * Optimisers with state we own, so a checkpoint can save and restore it exactly:
 * - `SgdMomentum`: v = momentum * v + (g + weightDecay * w); w -= lr * lrScale * v
 *   (PyTorch's SGD with weight decay folded into the gradient, as the reference uses);
 * - `Adam`: the usual bias-corrected Adam (beta1 0.9, beta2 0.999, eps 1e-8).
 * Each variable belongs to a parameter group with its own learning-rate scale (the
 * segmentation encoder trains at 1/10 of the decoder's rate). `clipByGlobalNorm` scales all
 * gradients together so their joint L2 norm is at most `maxNorm`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../../errors';

export interface ParamGroup {
  readonly variables: readonly tf.Variable[];
  /** Multiplies the learning rate for these variables (default 1). */
  readonly lrScale?: number;
}

/** Tensors keyed by name, e.g. the state of an optimiser for a checkpoint. */
export type NamedTensors = Record<string, tf.Tensor>;

export interface Optimiser {
  /** Applies one update with gradients keyed by variable name; `lr` is the base rate. */
  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void;
  /** Names of the variables it updates, in group order. */
  readonly variableNames: readonly string[];
  /** Copies of the state (for a checkpoint); the caller disposes them. */
  state(): NamedTensors;
  /** Restores state saved by `state()`; every tensor must be present with its shape. */
  load(state: Readonly<NamedTensors>): void;
  dispose(): void;
}

/**
 * State keys go by the variable's position (group order), not its name: tfjs makes variable
 * names unique per process (`..._1`), so names differ between a run and its resumption.
 */
const slotKey = (variable: number, buffer: number): string => `v${variable}#${buffer}`;

interface Slot {
  variable: tf.Variable;
  lrScale: number;
  buffers: tf.Variable[];
}

abstract class SlotOptimiser implements Optimiser {
  protected readonly slots: Slot[] = [];
  protected readonly scalars: Record<string, number> = {};
  readonly variableNames: readonly string[];

  constructor(groups: readonly ParamGroup[], buffersPerVariable: number, private readonly kind: string) {
    const seen = new Set<string>();
    for (const g of groups) {
      for (const v of g.variables) {
        if (seen.has(v.name)) throw new UsageError(`${kind}: variable '${v.name}' is in two parameter groups`);
        seen.add(v.name);
        const buffers = Array.from({ length: buffersPerVariable }, () => tf.variable(tf.zerosLike(v), false));
        this.slots.push({ variable: v, lrScale: g.lrScale ?? 1, buffers });
      }
    }
    this.variableNames = this.slots.map((s) => s.variable.name);
  }

  abstract apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void;

  protected gradOf(grads: Readonly<Record<string, tf.Tensor>>, name: string): tf.Tensor | undefined {
    return grads[name];
  }

  state(): NamedTensors {
    const out: NamedTensors = {};
    this.slots.forEach((s, i) => {
      s.buffers.forEach((b, k) => {
        out[slotKey(i, k)] = tf.clone(b);
      });
    });
    for (const [k, v] of Object.entries(this.scalars)) out[`#${k}`] = tf.scalar(v);
    return out;
  }

  load(state: Readonly<NamedTensors>): void {
    this.slots.forEach((s, i) => {
      s.buffers.forEach((b, k) => {
        const key = slotKey(i, k);
        const t = state[key];
        if (!t) throw new UsageError(`${this.kind} state: missing '${key}'`);
        if (t.shape.join() !== b.shape.join()) throw new UsageError(`${this.kind} state: '${key}' has shape [${t.shape}], expected [${b.shape}]`);
        b.assign(tf.mul(t, 1));
      });
    });
    for (const k of Object.keys(this.scalars)) {
      const t = state[`#${k}`];
      if (!t) throw new UsageError(`${this.kind} state: missing '#${k}'`);
      this.scalars[k] = t.dataSync()[0]!;
    }
  }

  dispose(): void {
    for (const s of this.slots) s.buffers.forEach((b) => b.dispose());
  }
}

export interface SgdOptions {
  momentum: number;
  weightDecay: number;
}

export class SgdMomentum extends SlotOptimiser {
  readonly momentum: number;
  readonly weightDecay: number;

  constructor(groups: readonly ParamGroup[], opts: SgdOptions) {
    super(groups, 1, 'SGD');
    this.momentum = opts.momentum;
    this.weightDecay = opts.weightDecay;
  }

  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    tf.tidy(() => {
      for (const s of this.slots) {
        const g = this.gradOf(grads, s.variable.name);
        if (!g) continue;
        const v = s.buffers[0]!;
        const d = this.weightDecay > 0 ? tf.add(g, tf.mul(s.variable, this.weightDecay)) : g;
        v.assign(tf.add(tf.mul(v, this.momentum), d));
        s.variable.assign(tf.sub(s.variable, tf.mul(v, lr * s.lrScale)));
      }
    });
  }
}

export interface AdamOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam extends SlotOptimiser {
  private readonly beta1: number;
  private readonly beta2: number;
  private readonly epsilon: number;

  constructor(groups: readonly ParamGroup[], opts: AdamOptions = {}) {
    super(groups, 2, 'Adam');
    this.beta1 = opts.beta1 ?? 0.9;
    this.beta2 = opts.beta2 ?? 0.999;
    this.epsilon = opts.epsilon ?? 1e-8;
    this.scalars.t = 0;
  }

  apply(grads: Readonly<Record<string, tf.Tensor>>, lr: number): void {
    const t = (this.scalars.t = (this.scalars.t ?? 0) + 1);
    const c1 = 1 - this.beta1 ** t;
    const c2 = 1 - this.beta2 ** t;
    tf.tidy(() => {
      for (const s of this.slots) {
        const g = this.gradOf(grads, s.variable.name);
        if (!g) continue;
        const [m, v] = s.buffers as [tf.Variable, tf.Variable];
        m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
        v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
        const update = tf.div(tf.div(m, c1), tf.add(tf.sqrt(tf.div(v, c2)), this.epsilon));
        s.variable.assign(tf.sub(s.variable, tf.mul(update, lr * s.lrScale)));
      }
    });
  }
}

/**
 * Scales every gradient by min(1, maxNorm / ||g||) where ||g|| is the L2 norm over all of
 * them together. Returns new tensors (the caller disposes them and the inputs) and the norm
 * before clipping.
 */
export function clipByGlobalNorm(grads: Readonly<Record<string, tf.Tensor>>, maxNorm: number): { grads: Record<string, tf.Tensor>; norm: number } {
  if (!(maxNorm > 0)) throw new UsageError(`clipByGlobalNorm: maxNorm must be > 0, got ${maxNorm}`);
  const names = Object.keys(grads);
  const normT = tf.tidy(() => tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n]!))))));
  const norm = normT.dataSync()[0]!;
  normT.dispose();
  const scale = Number.isFinite(norm) && norm > maxNorm ? maxNorm / norm : 1;
  const out: Record<string, tf.Tensor> = {};
  for (const n of names) out[n] = tf.mul(grads[n]!, scale);
  return { grads: out, norm };
}

/** Base rate times factor^k, where k counts the milestones (steps) already reached. */
export function stepDecayLr(baseLr: number, step: number, milestones: readonly number[], factor = 0.1): number {
  const k = milestones.filter((m) => step >= m).length;
  return baseLr * factor ** k;
}
