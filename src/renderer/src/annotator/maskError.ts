/** A mask operation given something it cannot work with (wrong size, bad value), in words. */
export class MaskError extends Error {
  override readonly name = 'MaskError';
}
