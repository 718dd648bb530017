/**
 * electron-builder.yml, checked offline by electron-builder itself: its config loader, then
 * its own validation (the JSON schema it ships, scheme.json, through the ajv it uses). And
 * the build resources the config names exist and are real files of their formats.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, validateConfig, type Configuration } from './electronBuilder';
import { ICNS_PNG_SIZES, readIcns, readIco } from './iconFiles';

const root = resolve(import.meta.dirname, '../..');
let config: Configuration;

beforeAll(async () => {
  config = await loadConfig(root);
});

const targetsOf = (t: unknown): string[] =>
  (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : (x as { target: string }).target));

describe('electron-builder.yml', () => {
  it('passes electron-builder’s own validation (its schema, offline)', async () => {
    await expect(validateConfig(config)).resolves.toBeUndefined();
  });

  it('the same validation rejects a misspelt option and a wrong type, so it is really checking', async () => {
    const misspelt = { ...config, asarUnpak: ['x'] } as unknown as Configuration;
    await expect(validateConfig(misspelt)).rejects.toThrow(/asarUnpak/);
    const wrongType = { ...config, nsis: { ...config.nsis, oneClick: 'sometimes' } } as unknown as Configuration;
    await expect(validateConfig(wrongType)).rejects.toThrow(/oneClick/);
  });

  it('builds Linux AppImage and deb, Windows NSIS, macOS DMG', () => {
    expect(targetsOf(config.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targetsOf(config.win?.target)).toEqual(['nsis']);
    expect(targetsOf(config.mac?.target)).toEqual(['dmg']);
  });

  it('names icons that are real PNG, ICO and ICNS files with the sizes the platforms need', async () => {
    const png = await sharp(readFileSync(resolve(root, config.linux!.icon!))).metadata();
    expect([png.format, png.width, png.height]).toEqual(['png', 1024, 1024]);

    const ico = await readIco(readFileSync(resolve(root, config.win!.icon!)));
    // Windows and NSIS want 256 px; the small sizes keep taskbar and lists sharp.
    expect(ico.map((i) => i.width).sort((a, b) => a - b)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (const img of ico) expect(img.rgba.some((v, k) => k % 4 === 3 && v === 255)).toBe(true); // not blank

    const icns = await readIcns(readFileSync(resolve(root, config.mac!.icon!)));
    expect(new Set(icns.map((i) => i.kind))).toEqual(new Set(Object.keys(ICNS_PNG_SIZES)));
  });

  it('signs for macOS with the hardened runtime and entitlements that let V8 and wasm compile code', () => {
    expect(config.mac?.hardenedRuntime).toBe(true);
    const plist = readFileSync(resolve(root, config.mac!.entitlements!), 'utf8');
    for (const key of ['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory']) {
      expect(plist).toMatch(new RegExp(`<key>${key.replace(/\./g, '\\.')}</key>\\s*<true/>`));
    }
    expect(config.mac?.entitlementsInherit).toBe(config.mac?.entitlements);
  });
});
