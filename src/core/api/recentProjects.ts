/** The list of recently opened projects, kept in a small JSON file in the user's config dir. */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fsAtomic';
import type { ProjectInfo, RecentProject } from './contract';

const MAX_RECENT = 12;

/** Default file: $XDG_CONFIG_HOME (or ~/.config)/depthseg-workbench/recent-projects.json. */
export function defaultRecentFile(): string {
  const base = process.env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'depthseg-workbench', 'recent-projects.json');
}

interface Entry {
  dir: string;
  name: string;
  openedAt: string;
}

function readEntries(file: string): Entry[] {
  if (!existsSync(file)) return [];
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is Entry =>
        typeof e === 'object' && e !== null && typeof e.dir === 'string' && typeof e.name === 'string' && typeof e.openedAt === 'string',
    );
  } catch {
    // A damaged list is not worth refusing to start over: it is only a convenience.
    return [];
  }
}

export function listRecent(file: string): RecentProject[] {
  return readEntries(file).map((e) => ({ ...e, exists: existsSync(join(e.dir, 'project.sqlite')) }));
}

/** Puts a project first in the list (once), keeping the newest MAX_RECENT. */
export function rememberRecent(file: string, p: Pick<ProjectInfo, 'dir' | 'name'>, now = new Date()): void {
  const entries = [{ dir: p.dir, name: p.name, openedAt: now.toISOString() }, ...readEntries(file).filter((e) => e.dir !== p.dir)];
  mkdirSync(dirname(file), { recursive: true });
  writeFileAtomic(file, Buffer.from(JSON.stringify(entries.slice(0, MAX_RECENT), null, 2)));
}
