/**
 * The mask's display pixels as a grid of small canvases (256 x 256 by default), drawn
 * together by one Konva shape. Browser-only (uses the DOM).
 *
 * Why tiles and not one canvas the size of the frame: once a canvas has been drawn onto the
 * screen, Chromium keeps a snapshot of it, and the next write (even a 20 x 20 putImageData)
 * first copies the whole backing store. For a 2048x1024 mask that copy cost about 8 ms per
 * pointer move in headless Chromium; with 256 x 256 tiles a stroke copies only the tiles it
 * touches (0.26 MB each), about 0.1 ms.
 */
import type { Rect } from './rect';

export const TILE_SIZE = 256;

interface Tile {
  readonly x: number;
  readonly y: number;
  readonly canvas: HTMLCanvasElement;
  readonly ctx: CanvasRenderingContext2D;
}

export class MaskTiles {
  readonly width: number;
  readonly height: number;
  private readonly tiles: Tile[] = [];
  private readonly tileSize: number;
  private readonly columns: number;

  constructor(width: number, height: number, tileSize = TILE_SIZE) {
    this.width = width;
    this.height = height;
    this.tileSize = tileSize;
    this.columns = Math.ceil(width / tileSize);
    for (let y = 0; y < height; y += tileSize) {
      for (let x = 0; x < width; x += tileSize) {
        const canvas = document.createElement('canvas');
        canvas.width = Math.min(tileSize, width - x);
        canvas.height = Math.min(tileSize, height - y);
        const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
        this.tiles.push({ x, y, canvas, ctx });
      }
    }
  }

  /**
   * Copies `rect` of `rgba` (the whole mask's RGBA pixels, width x height x 4) into the
   * tiles it overlaps.
   */
  update(rgba: Uint8ClampedArray, rect: Rect): void {
    const ts = this.tileSize;
    const x0 = Math.max(0, rect.x);
    const y0 = Math.max(0, rect.y);
    const x1 = Math.min(this.width, rect.x + rect.width);
    const y1 = Math.min(this.height, rect.y + rect.height);
    for (let ty = Math.floor(y0 / ts); ty * ts < y1; ty++) {
      for (let tx = Math.floor(x0 / ts); tx * ts < x1; tx++) {
        const tile = this.tiles[ty * this.columns + tx];
        const ax = Math.max(x0, tile.x);
        const ay = Math.max(y0, tile.y);
        const bx = Math.min(x1, tile.x + tile.canvas.width);
        const by = Math.min(y1, tile.y + tile.canvas.height);
        const w = bx - ax;
        const h = by - ay;
        if (w <= 0 || h <= 0) continue;
        const part = new ImageData(w, h);
        for (let row = 0; row < h; row++) {
          const from = ((ay + row) * this.width + ax) * 4;
          part.data.set(rgba.subarray(from, from + w * 4), row * w * 4);
        }
        tile.ctx.putImageData(part, ax - tile.x, ay - tile.y);
      }
    }
  }

  /** Draws every tile at its place, in mask pixel coordinates. */
  draw(ctx: { drawImage(image: CanvasImageSource, dx: number, dy: number): void }): void {
    for (const t of this.tiles) ctx.drawImage(t.canvas, t.x, t.y);
  }
}
