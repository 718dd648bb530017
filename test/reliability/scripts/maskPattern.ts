/** The mask the crash tests save for (frame, version): known bytes, so a survivor can be compared. */
export function maskPattern(frameId: number, version: number, width: number, height: number) {
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = (frameId * 7 + version * 3 + (i % 5)) % 19;
  return { width, height, data };
}
