/**
 * Label maps: checking their values against a class set, converting them to training ids
 * (0..C-1, 255 = ignore), nearest-neighbour resizing and the image/label size check.
 * Unknown values are errors, never silently ignored: they mean a wrong file or a wrong
 * dataset format.
 */
import { DataError } from '../errors';
import { decodeTable, TRAIN_CLASSES, type DecodeTable, type LabelEncoding } from '../labels';
import type { RasterU8, Size } from './imageIo';

/** Byte values of `data` that the table does not allow, with their pixel counts, ascending. */
function valuesOutside(data: Uint8Array, t: DecodeTable): [number, number][] {
  const counts = new Uint32Array(256);
  for (let i = 0; i < data.length; i++) counts[data[i]!]!++;
  const bad: [number, number][] = [];
  for (let v = 0; v < 256; v++) if (counts[v]! > 0 && t[v]! < 0) bad.push([v, counts[v]!]);
  return bad;
}

/**
 * Converts a label map in the given encoding to class ids (255 = ignore). Throws a DataError
 * naming `file` and listing the offending values when any value is outside the encoding's
 * values. `numClasses` is the label set's size ('class-ids' files: ids 0..numClasses-1).
 */
export function toClassIds(label: RasterU8, encoding: LabelEncoding, file: string, numClasses = TRAIN_CLASSES.length): RasterU8 {
  if (label.channels !== 1) throw new DataError(file, `a label map must have one channel; it has ${label.channels}`);
  const { table: t, allowed } = decodeTable(encoding, numClasses);
  const out = new Uint8Array(label.data.length);
  let ok = true;
  for (let i = 0; i < label.data.length; i++) {
    const v = t[label.data[i]!]!;
    if (v < 0) {
      ok = false;
      break;
    }
    out[i] = v;
  }
  if (!ok) {
    const bad = valuesOutside(label.data, t);
    const shown = bad.slice(0, 10).map(([v, n]) => `${v} (${n} px)`).join(', ');
    const more = bad.length > 10 ? ` and ${bad.length - 10} more` : '';
    throw new DataError(file, `label has values outside ${allowed}: ${shown}${more}`);
  }
  return { width: label.width, height: label.height, channels: 1, data: out };
}

/** Cityscapes labelIds (0..33) to the 19 trainIds with 255 = ignore; other values are errors. */
export function labelIdsToTrainIds(label: RasterU8, file: string): RasterU8 {
  return toClassIds(label, 'cityscapes-labelIds', file);
}

/** CamVid labels: 0..10 stay, 11 (void) becomes 255; other values are errors. */
export function camvidToTrainIds(label: RasterU8, file: string): RasterU8 {
  return toClassIds(label, 'camvid', file);
}

/** Checks a map already in Cityscapes trainIds (0..18, 255) and returns it. */
export function checkTrainIds(label: RasterU8, file: string): RasterU8 {
  return toClassIds(label, 'cityscapes-trainIds', file);
}

/**
 * Nearest-neighbour resize of a one-channel map, sampling at pixel centres (the same
 * alignment as the image resize), so no value appears that was not there.
 */
export function resizeLabelNearest(label: RasterU8, size: Size): RasterU8 {
  if (label.channels !== 1) throw new Error(`resizeLabelNearest needs one channel, got ${label.channels}`);
  if (label.width === size.width && label.height === size.height) return label;
  const out = new Uint8Array(size.width * size.height);
  const xs = new Int32Array(size.width);
  for (let x = 0; x < size.width; x++) xs[x] = Math.min(label.width - 1, Math.floor(((x + 0.5) * label.width) / size.width));
  for (let y = 0; y < size.height; y++) {
    const sy = Math.min(label.height - 1, Math.floor(((y + 0.5) * label.height) / size.height));
    const src = sy * label.width;
    const dst = y * size.width;
    for (let x = 0; x < size.width; x++) out[dst + x] = label.data[src + xs[x]!]!;
  }
  return { width: size.width, height: size.height, channels: 1, data: out };
}

/** Throws a DataError naming the label file when an image and its label differ in size. */
export function checkSameSize(imageFile: string, image: Size, labelFile: string, label: Size): void {
  if (image.width !== label.width || image.height !== label.height) {
    throw new DataError(
      labelFile,
      `label is ${label.width}x${label.height} (WxH) but its image ${imageFile} is ${image.width}x${image.height}`,
    );
  }
}

/** How a dataset's label file is encoded, from the dataset's format and the file's name. */
export function labelEncodingOf(format: 'cityscapes' | 'camvid' | 'frames', path: string): LabelEncoding {
  if (format === 'camvid') return 'camvid';
  if (format === 'frames') return 'class-ids';
  return path.endsWith('_labelTrainIds.png') ? 'cityscapes-trainIds' : 'cityscapes-labelIds';
}
