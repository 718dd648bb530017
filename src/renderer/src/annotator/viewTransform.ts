/**
 * The view onto the image: screen = image * scale + offset. Zoom about a point (the mouse
 * wheel), pan, fit to the window, and conversions both ways. Immutable values; no DOM.
 */
export interface ViewTransform {
  readonly scale: number;
  /** Screen position of the image's top-left corner. */
  readonly offsetX: number;
  readonly offsetY: number;
}

export interface Vec {
  readonly x: number;
  readonly y: number;
}

export const IDENTITY_VIEW: ViewTransform = { scale: 1, offsetX: 0, offsetY: 0 };

/** Zoom limits, as factors of the image's pixel size on screen. */
export const MIN_SCALE = 0.02;
export const MAX_SCALE = 64;

export function screenToImage(view: ViewTransform, p: Vec): Vec {
  return { x: (p.x - view.offsetX) / view.scale, y: (p.y - view.offsetY) / view.scale };
}

export function imageToScreen(view: ViewTransform, p: Vec): Vec {
  return { x: p.x * view.scale + view.offsetX, y: p.y * view.scale + view.offsetY };
}

/**
 * The largest scale at which the whole image fits in the view (less `padding` screen pixels
 * on each side), centred.
 */
export function fitToView(
  imageWidth: number,
  imageHeight: number,
  viewWidth: number,
  viewHeight: number,
  padding = 0,
): ViewTransform {
  if (imageWidth <= 0 || imageHeight <= 0) {
    throw new RangeError(`image size must be positive, got ${imageWidth}x${imageHeight}`);
  }
  const availW = Math.max(1, viewWidth - 2 * padding);
  const availH = Math.max(1, viewHeight - 2 * padding);
  const scale = Math.min(availW / imageWidth, availH / imageHeight);
  return {
    scale,
    offsetX: (viewWidth - imageWidth * scale) / 2,
    offsetY: (viewHeight - imageHeight * scale) / 2,
  };
}

/**
 * Zooms by `factor` keeping the image point under screen point `at` where it is; the scale
 * is clamped to [minScale, maxScale].
 */
export function zoomAbout(
  view: ViewTransform,
  at: Vec,
  factor: number,
  minScale = MIN_SCALE,
  maxScale = MAX_SCALE,
): ViewTransform {
  const scale = Math.min(maxScale, Math.max(minScale, view.scale * factor));
  const anchor = screenToImage(view, at);
  return { scale, offsetX: at.x - anchor.x * scale, offsetY: at.y - anchor.y * scale };
}

/** Moves the image by (dx, dy) screen pixels. */
export function pan(view: ViewTransform, dx: number, dy: number): ViewTransform {
  return { scale: view.scale, offsetX: view.offsetX + dx, offsetY: view.offsetY + dy };
}

/**
 * The zoom factor for a wheel event's deltaY (pixels; negative = zoom in). Exponential, so
 * zooming in and back out by the same wheel distance returns to the same scale.
 */
export function wheelZoomFactor(deltaY: number, sensitivity = 0.0015): number {
  return Math.exp(-deltaY * sensitivity);
}
