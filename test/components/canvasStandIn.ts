/**
 * What jsdom lacks for AnnotatorCanvas to mount: a 2D canvas context (jsdom has none without
 * the native `canvas` package), ImageData, ResizeObserver and pointer capture. The context
 * here takes every call and draws nothing, so a test that uses it can check what the
 * component does with its mask, tools and keys, never what ends up on the screen (the
 * Playwright tests in test/e2e look at real pixels).
 */

class ImageDataStandIn {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly colorSpace = 'srgb';
  constructor(a: number | Uint8ClampedArray, b: number, c?: number) {
    if (typeof a === 'number') {
      this.width = a;
      this.height = b;
      this.data = new Uint8ClampedArray(a * b * 4);
    } else {
      this.data = a;
      this.width = b;
      this.height = c ?? a.length / 4 / b;
    }
  }
}

/** A CanvasRenderingContext2D that keeps the properties set on it and does nothing when called. */
function contextFor(canvas: HTMLCanvasElement): unknown {
  const props: Record<string | symbol, unknown> = { canvas };
  const noop = (): undefined => undefined;
  return new Proxy(props, {
    get(target, key) {
      if (key in target) return target[key];
      if (key === 'getImageData' || key === 'createImageData') {
        return (...args: number[]) => new ImageDataStandIn(args[args.length - 2]!, args[args.length - 1]!);
      }
      if (key === 'measureText') return () => ({ width: 0 });
      if (key === 'getTransform') return () => ({ a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 });
      if (key === 'getLineDash') return () => [];
      if (key === 'then') return undefined; // not a promise
      return noop;
    },
    set(target, key, value) {
      target[key] = value;
      return true;
    },
  });
}

export function installCanvasStandIn(): void {
  const contexts = new WeakMap<HTMLCanvasElement, unknown>();
  Object.defineProperty(HTMLCanvasElement.prototype, 'getContext', {
    configurable: true,
    value(this: HTMLCanvasElement) {
      let c = contexts.get(this);
      if (!c) contexts.set(this, (c = contextFor(this)));
      return c;
    },
  });
  (globalThis as Record<string, unknown>)['ImageData'] ??= ImageDataStandIn;
  (globalThis as Record<string, unknown>)['ResizeObserver'] ??= class {
    observe(): void {}
    unobserve(): void {}
    disconnect(): void {}
  };
  const captured = new WeakMap<Element, Set<number>>();
  const set = (el: Element): Set<number> => {
    let s = captured.get(el);
    if (!s) captured.set(el, (s = new Set()));
    return s;
  };
  Object.assign(Element.prototype, {
    setPointerCapture(this: Element, id: number) {
      set(this).add(id);
    },
    releasePointerCapture(this: Element, id: number) {
      set(this).delete(id);
    },
    hasPointerCapture(this: Element, id: number) {
      return set(this).has(id);
    },
  });
}
