/** Browser-only encoding (kept apart from bytes.ts, which the Node tests import). */
/**
 * Mask bytes -> base64 like bytesToBase64 (./bytes), but the browser encodes off the main thread (FileReader on a
 * Blob), so saving a 2048x1024 mask does not stall painting.
 */
export async function bytesToBase64Async(bytes: Uint8Array): Promise<string> {
  const url = await new Promise<string>((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(String(reader.result));
    reader.onerror = () => fail(reader.error ?? new Error('could not encode the mask'));
    reader.readAsDataURL(new Blob([bytes as Uint8Array<ArrayBuffer>]));
  });
  return url.slice(url.indexOf(',') + 1);
}
