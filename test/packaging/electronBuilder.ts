/**
 * electron-builder's own pieces, loaded the way electron-builder loads them (app-builder-lib
 * as electron-builder resolves it), for the packaging tests: its config loader and schema
 * check, its file matcher, the asar reader it packs with, and its CLI to pack the app
 * offline with a stand-in Electron.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type * as ConfigModule from 'app-builder-lib/out/util/config/config';
import type * as FileMatcherModule from 'app-builder-lib/out/fileMatcher';
import type * as Asar from '@electron/asar';

const here = createRequire(import.meta.url);
const builderPackage = here.resolve('electron-builder/package.json');
const fromBuilder = createRequire(builderPackage);
const libPackage = fromBuilder.resolve('app-builder-lib/package.json');
const fromLib = createRequire(libPackage);

export const builderConfig = fromLib('./out/util/config/config.js') as typeof ConfigModule;
export const fileMatcher = fromLib('./out/fileMatcher.js') as typeof FileMatcherModule;
export const asar = fromLib('@electron/asar') as typeof Asar;
const builderUtil = fromLib('builder-util') as { DebugLogger: new (enabled?: boolean) => unknown };

export type Configuration = Awaited<ReturnType<typeof ConfigModule.getConfig>>;

/** electron-builder.yml as electron-builder reads it (defaults merged in). */
export function loadConfig(projectDir: string): Promise<Configuration> {
  return builderConfig.getConfig(projectDir, null, null);
}

/** electron-builder's own check of a configuration: its JSON schema (scheme.json, ajv) and more. */
export function validateConfig(config: Configuration): Promise<void> {
  return builderConfig.validateConfiguration(config, new builderUtil.DebugLogger(false) as Parameters<typeof ConfigModule.validateConfiguration>[1]);
}

/**
 * electron-builder's asarUnpack filter for a config, built as its packager builds it
 * (platformPackager: getFileMatchers(config, 'asarUnpack', ...)). null when nothing is unpacked.
 */
export function asarUnpackFilter(config: Configuration, appDir: string): ((file: string, isDir?: boolean) => boolean) | null {
  const matchers = fileMatcher.getFileMatchers(config, 'asarUnpack', join(appDir, '.unpack-probe'), {
    macroExpander: (s: string) => s,
    customBuildOptions: {},
    globalOutDir: join(appDir, 'dist'),
    defaultSrc: appDir,
  });
  if (!matchers || matchers.length === 0) return null;
  const filter = matchers[0]!.createFilter();
  return (file, isDir = false) =>
    filter(file, { isDirectory: () => isDir, isFile: () => !isDir, isSymbolicLink: () => false } as Parameters<typeof filter>[1]);
}

/**
 * Packs the app with electron-builder's CLI for Linux into an unpacked folder (`--linux dir`),
 * offline: a stand-in Electron distribution (one executable named electron) replaces the
 * Electron download, and native modules are not rebuilt (that needs Electron's headers).
 * Everything else is electron-builder.yml as it is. Returns the app's resources folder.
 */
export async function packLinuxDir(projectDir: string, workDir: string): Promise<{ resources: string; log: string }> {
  const electronDist = join(workDir, 'electron-dist');
  mkdirSync(electronDist, { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in for the Electron binary (packaging test)"\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  const output = join(workDir, 'dist');
  const cli = join(dirname(builderPackage), 'cli.js');
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    [
      cli,
      '--linux',
      'dir',
      '--x64',
      '--projectDir',
      projectDir,
      '--publish',
      'never',
      `-c.electronDist=${electronDist}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${output}`,
    ],
    { cwd: projectDir, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ELECTRON_BUILDER_CACHE: join(workDir, 'cache') } },
  );
  return { resources: join(output, 'linux-unpacked', 'resources'), log: `${stdout}\n${stderr}` };
}
