/**
 * `depthseg user`: accounts of a PostgreSQL project's team server, the password read from
 * stdin (never from argv), stored as an scrypt hash; errors name the field.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userCommand } from '../../src/cli/commands/user';
import { accounts, checkSignIn } from '../../src/core/api/teamAccounts';
import { openProject } from '../../src/core/project/openProject';
import { getAccount } from '../../src/core/store';
import { freshDirs } from '../data/fixtures';
import { teamProject } from '../host/teamFixture';
import { postgresMissing, usePostgres } from '../store/postgresCluster';

const BIN = resolve(__dirname, '../../bin/depthseg.mjs');
const temp = freshDirs();
const missing = postgresMissing();

function user(args: string[], stdin = ''): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'user', ...args], { input: stdin, encoding: 'utf8', timeout: 60_000, env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

describe.skipIf(missing !== undefined)(`depthseg user${missing ? ` (skipped: ${missing})` : ''}`, () => {
  const server = usePostgres();

  it('adds an account with the password from stdin (never argv), changes and removes accounts, and names the field that is wrong', async () => {
    const { dir } = await teamProject(server.cluster(), temp('user-cmd'));
    const added = user(['add', '--project', dir, '--name', 'bo', '--role', 'reviewer', '--json'], 'bo-secret-words\n');
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({ name: 'bo', role: 'reviewer' });

    // The rest in this process (the same command, without paying for a process each): the password from a file.
    const pw = join(dir, '..', 'pw.txt');
    writeFileSync(pw, 'short\n');
    const run = (args: string[]) => userCommand.run(args);
    await expect(run(['add', '--project', dir, '--name', 'cy', '--role', 'admin', '--password-file', pw])).rejects.toThrow("role: 'admin' is not a role (one of annotator, reviewer, engineer)");
    await expect(run(['add', '--project', dir, '--name', 'cy', '--role', 'annotator', 'hunter2hunter2'])).rejects.toThrow('a password is never given on the command line');
    await expect(run(['add', '--project', dir, '--name', 'cy', '--role', 'annotator', '--password-file', pw])).rejects.toThrow('password: too short (at least 8 characters)');
    await expect(run(['add', '--project', dir, '--name', '../cy', '--role', 'annotator', '--password-file', pw])).rejects.toThrow("name: '../cy' is not an account name");
    await expect(run(['set-role', '--project', dir, '--name', 'nobody', '--role', 'engineer'])).rejects.toThrow('name: there is no account nobody');
    await expect(run(['remove', '--project', join(dir, 'nope'), '--name', 'bo'])).rejects.toThrow('is not a DepthSeg project');
    expect(await run(['set-role', '--project', dir, '--name', 'rita', '--role', 'engineer'])).toBe(0);
    expect(await run(['remove', '--project', dir, '--name', 'ana'])).toBe(0);

    const open = await openProject(dir);
    try {
      const row = (await getAccount(open.store, 'bo'))!;
      expect(row.passwordHash).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(row.passwordHash).not.toContain('bo-secret-words');
      expect((await checkSignIn(open.store, 'bo', 'bo-secret-words'))?.caller).toEqual({ user: 'bo', role: 'reviewer' });
      expect(await checkSignIn(open.store, 'bo', 'bo-secret-word')).toBeNull();
      expect(await getAccount(open.store, 'cy')).toBeUndefined();
    } finally {
      await open.close();
    }
    const open2 = await openProject(dir);
    try {
      expect((await accounts(open2.store)).map((a) => `${a.name}:${a.role}`)).toEqual(['bo:reviewer', 'eve:engineer', 'rita:engineer']);
    } finally {
      await open2.close();
    }
  });
});
