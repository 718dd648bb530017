/** Where the real data samples live (../shared/data from the repository root), if present. */
import { existsSync } from 'node:fs';
import path from 'node:path';

export const SHARED_DATA = path.resolve(__dirname, '../../../shared/data');

/** The sub-folder's path, or null (with a console message saying why tests skip) when absent. */
export function sharedDataset(name: string): string | null {
  const p = path.join(SHARED_DATA, name);
  if (existsSync(p)) return p;
  console.log(`skipping real-data tests on ${name}: ${p} is absent (real samples are not part of a fresh clone)`);
  return null;
}
