/**
 * Images the annotator accepts: a decoded HTMLImageElement or ImageBitmap, or a URL to load.
 * Browser-only (uses the DOM).
 */
export type ImageInput = HTMLImageElement | ImageBitmap | string;

export interface LoadedImage {
  readonly source: HTMLImageElement | ImageBitmap;
  readonly width: number;
  readonly height: number;
}

/** Resolves once the image is decoded; rejects with a message naming the URL on failure. */
export async function loadImage(input: ImageInput): Promise<LoadedImage> {
  if (typeof input === 'string') {
    const img = new Image();
    img.decoding = 'async';
    img.src = input;
    try {
      await img.decode();
    } catch {
      throw new Error(`could not load image '${input}'`);
    }
    return { source: img, width: img.naturalWidth, height: img.naturalHeight };
  }
  if (input instanceof HTMLImageElement) {
    if (!input.complete || input.naturalWidth === 0) {
      try {
        await input.decode();
      } catch {
        throw new Error(`could not load image '${input.src}'`);
      }
    }
    return { source: input, width: input.naturalWidth, height: input.naturalHeight };
  }
  return { source: input, width: input.width, height: input.height };
}
