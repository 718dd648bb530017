/**
 * The team server's accounts in the project's database: adding, listing, changing and
 * removing them (the `depthseg user` command), and signing in. Names, roles and passwords are
 * checked here, with errors that name the field.
 */
import { UsageError } from '../errors';
import { deleteAccount, getAccount, insertAccount, listAccounts, updateAccount, type ProjectStore } from '../store';
import { ROLES, type Caller, type Role } from './caller';
import { hashPassword, verifyPassword } from './passwordHash';

export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new UsageError(`name: '${name.slice(0, 80)}' is not an account name (1-64 letters, digits, . _ @ -, starting with a letter or digit)`);
  }
  return name;
}

export function checkRoleName(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`role: '${role.slice(0, 80)}' is not a role (one of ${ROLES.join(', ')})`);
  return role as Role;
}

export function checkPassword(password: string): string {
  if (password.length < MIN_PASSWORD) throw new UsageError(`password: too short (at least ${MIN_PASSWORD} characters)`);
  if (password.length > MAX_PASSWORD) throw new UsageError(`password: too long (at most ${MAX_PASSWORD} characters)`);
  return password;
}

export interface AccountInfo {
  readonly name: string;
  readonly role: Role;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export async function addAccount(store: ProjectStore, a: { name: string; role: string; password: string }): Promise<AccountInfo> {
  const name = checkName(a.name);
  const role = checkRoleName(a.role);
  const passwordHash = await hashPassword(checkPassword(a.password));
  if (!(await insertAccount(store, { name, role, passwordHash }))) {
    throw new UsageError(`name: an account ${name} exists already (change it with depthseg user set-role or set-password)`);
  }
  return (await accounts(store)).find((x) => x.name === name)!;
}

export async function accounts(store: ProjectStore): Promise<AccountInfo[]> {
  return (await listAccounts(store)).map((r) => ({ name: r.name, role: r.role as Role, createdAt: r.createdAt, updatedAt: r.updatedAt }));
}

export async function setRole(store: ProjectStore, name: string, role: string): Promise<void> {
  const r = checkRoleName(role);
  if (!(await updateAccount(store, name, { role: r }))) throw new UsageError(`name: there is no account ${name}`);
}

export async function setPassword(store: ProjectStore, name: string, password: string): Promise<void> {
  const passwordHash = await hashPassword(checkPassword(password));
  if (!(await updateAccount(store, name, { passwordHash }))) throw new UsageError(`name: there is no account ${name}`);
}

export async function removeAccount(store: ProjectStore, name: string): Promise<void> {
  if (!(await deleteAccount(store, name))) throw new UsageError(`name: there is no account ${name}`);
}

/** A hash of a random password, checked against when the account does not exist: the answer takes as long either way. */
let decoy: Promise<string> | null = null;

/**
 * A sign-in: the caller, and the account's password hash at that moment (`credential`, kept by
 * the server with the session): once the password changes, the session no longer counts.
 */
export interface SignedIn {
  readonly caller: Caller;
  readonly credential: string;
}

/** The caller whose name and password these are; null where either is wrong (the same for both). */
export async function checkSignIn(store: ProjectStore, name: string, password: string): Promise<SignedIn | null> {
  const row = NAME.test(name) && password.length <= MAX_PASSWORD ? await getAccount(store, name) : undefined;
  decoy ??= hashPassword(`decoy-${Math.random()}`);
  const ok = await verifyPassword(password.slice(0, MAX_PASSWORD), row?.passwordHash ?? (await decoy));
  if (!row || !ok || !(ROLES as readonly string[]).includes(row.role)) return null;
  return { caller: { user: row.name, role: row.role as Role }, credential: row.passwordHash };
}

/**
 * The signed-in account as it is now: its role may have changed since sign-in; null where the
 * account is gone or its password changed since (`credential` is no longer its hash).
 */
export async function currentCaller(store: ProjectStore, signedIn: { user: string; credential: string }): Promise<Caller | null> {
  const row = await getAccount(store, signedIn.user);
  if (!row || row.passwordHash !== signedIn.credential || !(ROLES as readonly string[]).includes(row.role)) return null;
  return { user: row.name, role: row.role as Role };
}
