import { resolve } from 'node:path';
import { accounts, addAccount, removeAccount, setPassword, setRole } from '../../core/api/teamAccounts';
import { UsageError } from '../../core/errors';
import { openProjectStore, projectEngine, type ProjectStore } from '../../core/store';
import { parseArgs } from '../args';
import { printResult, type CliCommand } from '../command';
import { readSecret } from '../readSecret';

const ACTIONS = ['add', 'list', 'set-role', 'set-password', 'remove'] as const;

export const userCommand: CliCommand = {
  name: 'user',
  usage: `depthseg user add --project DIR --name NAME --role annotator|reviewer|engineer [--password-file FILE]
depthseg user list --project DIR [--json]
depthseg user set-role --project DIR --name NAME --role ROLE
depthseg user set-password --project DIR --name NAME [--password-file FILE]
depthseg user remove --project DIR --name NAME

The team server's accounts (docs/team-server.md), kept in the PostgreSQL project's database.
The password is read from --password-file (its first line) or from stdin: typed without echo
at a terminal, or piped (printf '%s\\n' "$PW" | depthseg user add ...). Never give it on the
command line. At least 8 characters; stored as an scrypt hash.`,
  async run(argv) {
    const { flags, positional } = parseArgs(argv, { project: 'string', name: 'string', role: 'string', 'password-file': 'string', json: 'boolean' });
    const action = positional[0];
    if (!action || !(ACTIONS as readonly string[]).includes(action)) {
      throw new UsageError(`user needs an action: ${ACTIONS.join(', ')} (got ${action === undefined ? 'none' : `'${action}'`})`);
    }
    if (positional.length > 1) throw new UsageError(`unexpected '${positional[1]}': a password is never given on the command line (use stdin or --password-file)`);
    if (!flags.project) throw new UsageError(`user ${action} needs --project DIR`);
    const dir = resolve(flags.project);
    const engine = projectEngine(dir);
    if (engine === undefined) throw new UsageError(`--project: ${dir} is not a DepthSeg project`);
    if (engine !== 'postgres') throw new UsageError(`--project: ${dir} is an SQLite project; accounts are for a team server, which serves a PostgreSQL project (depthseg migrate)`);
    const name = (): string => {
      if (!flags.name) throw new UsageError(`user ${action} needs --name NAME`);
      return flags.name;
    };
    const role = (): string => {
      if (!flags.role) throw new UsageError(`user ${action} needs --role annotator|reviewer|engineer`);
      return flags.role;
    };
    const store: ProjectStore = await openProjectStore(dir, { create: false });
    try {
      if (action === 'list') {
        const list = await accounts(store);
        printResult(flags.json === true, list, list.length ? list.map((a) => `${a.name}\t${a.role}\t(since ${a.createdAt})`).join('\n') : 'no accounts yet');
      } else if (action === 'add') {
        const [n, r] = [name(), role()];
        const password = await readSecret(`password for ${n}: `, flags['password-file']);
        const a = await addAccount(store, { name: n, role: r, password });
        printResult(flags.json === true, a, `added ${a.name} (${a.role})`);
      } else if (action === 'set-role') {
        const [n, r] = [name(), role()];
        await setRole(store, n, r);
        printResult(flags.json === true, { name: n, role: r }, `${n} is now ${r === 'engineer' ? 'an' : 'a'} ${r}`);
      } else if (action === 'set-password') {
        const n = name();
        await setPassword(store, n, await readSecret(`new password for ${n}: `, flags['password-file']));
        printResult(flags.json === true, { name: n }, `password of ${n} changed; browsers signed in as ${n} must sign in again`);
      } else {
        const n = name();
        await removeAccount(store, n);
        printResult(flags.json === true, { name: n, removed: true }, `removed ${n}`);
      }
    } finally {
      await store.close();
    }
    return 0;
  },
};
