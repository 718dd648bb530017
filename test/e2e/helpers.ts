/** What several page tests do: wait for the annotator, paint a stroke, write a small CamVid-layout dataset. */
import type { Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { CAMVID_LABEL_SET } from '../../src/core/labels';
import { expect } from './hostFixture';

/** The 11 CamVid classes in palette order. */
export const CAMVID_NAMES = CAMVID_LABEL_SET.classes.map((c) => c.name);

/** Waits until the annotator shows its frame. */
export async function canvasReady(page: Page): Promise<void> {
  await expect(page.locator('section.annotate[data-ready=true]')).toBeVisible({ timeout: 15_000 });
}

/** From the project's overview: the queue's first frame, opened in the annotator. */
export async function openFirstQueuedFrame(page: Page): Promise<void> {
  await page.getByTestId('go-queue').click();
  await page.getByTestId('open-frame').first().click();
  await canvasReady(page);
}

/** Drags across the annotator viewport with the brush, `dy` pixels below its middle. */
export async function stroke(page: Page, dy = 0): Promise<void> {
  const box = (await page.getByTestId('annotator-viewport').boundingBox())!;
  const y = box.y + box.height / 2 + dy;
  await page.mouse.move(box.x + box.width * 0.3, y);
  await page.mouse.down();
  for (let i = 1; i <= 10; i++) await page.mouse.move(box.x + box.width * (0.3 + i * 0.04), y);
  await page.mouse.up();
}

/** The distinct byte values of a base64 mask, sorted. */
export function valuesOf(maskBase64: string | null): number[] {
  if (maskBase64 === null) return [];
  return [...new Set(Buffer.from(maskBase64, 'base64'))].sort((a, b) => a - b);
}

/** Console errors of a page, collected as they come. */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

/**
 * A CamVid dataset as the SegNet tutorial lays it out: train/, trainannot/, val/, valannot/,
 * RGB images and 8-bit grey labels of the same names, `width` x `height`. The labels are 12
 * horizontal bands with the values 0..11 (11 = void), shifted per image; each image shows its
 * bands in the class colours with a little texture.
 */
export async function writeCamvidLayout(root: string, counts = { train: 4, val: 2 }, width = 128, height = 96): Promise<void> {
  const colours = [...CAMVID_LABEL_SET.classes.map((c) => c.color), [0, 0, 0] as const];
  for (const split of ['train', 'val'] as const) {
    mkdirSync(join(root, split), { recursive: true });
    mkdirSync(join(root, `${split}annot`), { recursive: true });
    for (let n = 0; n < counts[split]; n++) {
      const label = Buffer.alloc(width * height);
      const rgb = Buffer.alloc(width * height * 3);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const v = (Math.floor((y * 12) / height) + n) % 12;
          const i = y * width + x;
          label[i] = v;
          const c = colours[v]!;
          const t = ((x * 7 + y * 3 + n * 11) % 17) - 8;
          for (let k = 0; k < 3; k++) rgb[i * 3 + k] = Math.max(0, Math.min(255, c[k]! + t));
        }
      }
      const name = `seq${split === 'train' ? 'A' : 'B'}_${String(n).padStart(5, '0')}.png`;
      await sharp(rgb, { raw: { width, height, channels: 3 } }).png().toFile(join(root, split, name));
      await sharp(label, { raw: { width, height, channels: 1 } }).toColourspace('b-w').png().toFile(join(root, `${split}annot`, name));
    }
  }
}

/** An 8-bit grey PNG's values, row-major (the file itself must be one channel). */
export async function readGrey(path: string): Promise<Buffer> {
  const meta = await sharp(path).metadata();
  if (meta.channels !== 1) throw new Error(`${path}: expected a grey PNG, it has ${meta.channels} channels`);
  return sharp(path).extractChannel(0).raw().toBuffer();
}
