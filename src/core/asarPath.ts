import { existsSync } from 'node:fs';

/**
 * Inside a packaged Electron app the code runs from resources/app.asar, an archive that only
 * Electron's own fs layer reads. What must be a real file on disk (the wasm engine's pthread
 * worker script and the package files it loads, native libraries) the packager unpacks into
 * app.asar.unpacked beside it (electron-builder.yml: asarUnpack). This maps a path inside an
 * archive to its unpacked copy, where that copy exists; any other path comes back as it is
 * (sources, a plain Node install, or a file that was left in the archive).
 */
export function unpackedPath(file: string): string {
  const candidate = file.replace(/\.asar(?=[\\/])/, '.asar.unpacked');
  return candidate !== file && existsSync(candidate) ? candidate : file;
}
