import type { ProjectStore } from './projectStore';
import { all, one, parseJson, run } from './sql';

/** A setting's value, or undefined when unset. Pass `parse` (e.g. a zod schema's parse) to check its shape. */
export async function getSetting<T = unknown>(store: ProjectStore, key: string, parse?: (v: unknown) => T): Promise<T | undefined> {
  const r = await one<{ value_json: string }>(store, 'SELECT value_json FROM settings WHERE key = ?', key);
  if (!r) return undefined;
  const v = parseJson<unknown>(store, r.value_json, `settings '${key}'`);
  return parse ? parse(v) : (v as T);
}

/** Sets a setting to any JSON value (undefined is refused: use deleteSetting). */
export async function setSetting(store: ProjectStore, key: string, value: unknown): Promise<void> {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError(`setting '${key}': value is not JSON (use deleteSetting to remove it)`);
  await run(
    store,
    'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    key,
    text,
    store.now(),
  );
}

export async function deleteSetting(store: ProjectStore, key: string): Promise<boolean> {
  return (await run(store, 'DELETE FROM settings WHERE key = ?', key)).changes > 0;
}

export async function listSettings(store: ProjectStore): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const r of await all<{ key: string; value_json: string }>(store, 'SELECT key, value_json FROM settings ORDER BY key')) {
    out[r.key] = parseJson<unknown>(store, r.value_json, `settings '${r.key}'`);
  }
  return out;
}
