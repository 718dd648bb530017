import type { ProjectStore } from './projectStore';
import { all, one, run } from './sql';

/** A team server account as stored (docs/team-server.md). The role is checked by the api layer's ROLES. */
export interface AccountRow {
  readonly id: number;
  readonly name: string;
  readonly role: string;
  /** scrypt hash with its parameters and salt (api/passwordHash.ts). */
  readonly passwordHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

interface Raw {
  id: number;
  name: string;
  role: string;
  password_hash: string;
  created_at: string;
  updated_at: string;
}

const toRow = (r: Raw): AccountRow => ({
  id: r.id,
  name: r.name,
  role: r.role,
  passwordHash: r.password_hash,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

const COLUMNS = 'id, name, role, password_hash, created_at, updated_at';

export async function getAccount(store: ProjectStore, name: string): Promise<AccountRow | undefined> {
  const r = await one<Raw>(store, `SELECT ${COLUMNS} FROM accounts WHERE name = ?`, name);
  return r && toRow(r);
}

export async function listAccounts(store: ProjectStore): Promise<AccountRow[]> {
  return (await all<Raw>(store, `SELECT ${COLUMNS} FROM accounts ORDER BY name`)).map(toRow);
}

/** Adds an account; false where one of that name exists already. */
export async function insertAccount(store: ProjectStore, a: { name: string; role: string; passwordHash: string }): Promise<boolean> {
  const now = store.now();
  const r = await run(
    store,
    'INSERT INTO accounts (name, role, password_hash, created_at, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING',
    a.name,
    a.role,
    a.passwordHash,
    now,
    now,
  );
  return r.changes > 0;
}

/** Changes an account's role and/or password hash; false where there is no such account. */
export async function updateAccount(store: ProjectStore, name: string, change: { role?: string; passwordHash?: string }): Promise<boolean> {
  const current = await getAccount(store, name);
  if (!current) return false;
  const r = await run(
    store,
    'UPDATE accounts SET role = ?, password_hash = ?, updated_at = ? WHERE name = ?',
    change.role ?? current.role,
    change.passwordHash ?? current.passwordHash,
    store.now(),
    name,
  );
  return r.changes > 0;
}

export async function deleteAccount(store: ProjectStore, name: string): Promise<boolean> {
  return (await run(store, 'DELETE FROM accounts WHERE name = ?', name)).changes > 0;
}
