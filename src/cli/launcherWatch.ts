/**
 * Notices that the processes which started this one have ended, so a long-running command
 * (depthseg serve) does not live on as an orphan holding its port and its project.
 *
 * Why the chain of ancestors and not only the parent: `npx depthseg serve` runs
 * `npm exec` → `sh -c depthseg …` → node, and dash does not exec the last command of `-c`, so
 * when npm exec is killed (SIGKILL: it cannot pass anything on) our parent is still the
 * shell, which waits on us forever; only the shell is re-parented. So at start we record the
 * chain of ancestors up to the top of our process group (the job a shell started, or the
 * group of the program that spawned us; always at least the parent) and, once a second,
 * check that each is still alive and still the parent of the one below it. When a member
 * has ended, its child was re-parented (to init or a subreaper), which breaks the chain.
 *
 * Why not stdin: under npx stdin is the terminal, which does not close when npx dies, and
 * when stdin is /dev/null (spawned with stdio 'ignore', `< /dev/null`) it is at its end from
 * the start; reading it would also steal a terminal's input.
 *
 * Linux reads /proc/PID/stat (no process started per check); other systems (macOS) ask
 * `ps`. Windows does not re-parent processes, and is not watched.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** When it started, as the system says it (tells a reused process id apart); '' if unknown. */
  readonly started: string;
  readonly name: string;
}

/** Reads processes by id; a process that has ended (or is a zombie) is absent from the map. */
export type ProcessReader = (pids: readonly number[]) => Promise<Map<number, ProcessInfo>>;

/** Linux: /proc/PID/stat (the name sits in parentheses and may hold spaces or parentheses). */
export const procReader: ProcessReader = async (pids) => {
  const out = new Map<number, ProcessInfo>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const name = stat.slice(stat.indexOf('(') + 1, close);
    // After the name: state ppid pgrp session tty_nr tpgid flags … starttime is field 22.
    const f = stat.slice(close + 2).split(' ');
    if (f[0] === 'Z' || f[0] === 'X') continue;
    out.set(pid, { pid, ppid: Number(f[1]), pgid: Number(f[2]), started: f[19] ?? '', name });
  }
  return out;
};

/** Other systems (macOS, and Linux too): `ps`, asked once for all the ids. */
export const psReader: ProcessReader = (pids) =>
  new Promise((ok, fail) => {
    if (pids.length === 0) return ok(new Map());
    const args = ['-o', 'pid=,ppid=,pgid=,stat=,lstart=,comm='];
    for (const pid of pids) args.push('-p', String(pid));
    execFile('ps', args, { encoding: 'utf8', timeout: 10_000 }, (err, stdout) => {
      // ps exits 1 when none of the ids exists: that is an answer, not a failure.
      if (err && typeof err.code !== 'number') return fail(err);
      const out = new Map<number, ProcessInfo>();
      for (const line of stdout.split('\n')) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10) continue;
        const [pid, ppid, pgid] = f.slice(0, 3).map(Number) as [number, number, number];
        if (f[3]!.startsWith('Z')) continue;
        // lstart is five words ("Wed Dec  3 00:21:00 2025"); the command name is the rest.
        out.set(pid, { pid, ppid, pgid, started: f.slice(4, 9).join(' '), name: f.slice(9).join(' ') });
      }
      ok(out);
    });
  });

/** The reader for this system, or null where processes are not re-parented (Windows). */
export function defaultReader(): ProcessReader | null {
  if (process.platform === 'win32') return null;
  return existsSync('/proc/self/stat') ? procReader : psReader;
}

/** Our ancestors, parent first: up to the top of our process group, at least the parent, never init. */
export async function launcherChain(read: ProcessReader, self = process.pid): Promise<ProcessInfo[]> {
  const me = (await read([self])).get(self);
  if (!me) return [];
  const chain: ProcessInfo[] = [];
  let pid = me.ppid;
  while (pid > 1 && chain.length < 64) {
    const p = (await read([pid])).get(pid);
    if (!p) break;
    chain.push(p);
    if (p.pgid !== me.pgid) break;
    pid = p.ppid;
  }
  return chain;
}

/** Which member of the recorded chain has ended, judged from a fresh reading; null while all stand. */
export function endedMember(chain: readonly ProcessInfo[], myParent: number, now: Map<number, ProcessInfo>): ProcessInfo | null {
  for (let i = 0; i < chain.length; i++) {
    const was = chain[i]!;
    const is = now.get(was.pid);
    const childsParent = i === 0 ? myParent : now.get(chain[i - 1]!.pid)?.ppid;
    if (!is || is.started !== was.started || childsParent !== was.pid) return was;
  }
  return null;
}

export interface LauncherWatch {
  /** The processes watched, parent first (empty when there is nothing to watch). */
  readonly chain: readonly ProcessInfo[];
  /** Why nothing is watched where something should be (the processes could not be read). */
  readonly problem?: string;
  stop(): void;
}

/**
 * Calls `onEnded` once when a process of the chain that started this one has ended. The
 * timer does not keep the process alive.
 */
export async function watchLauncher(
  onEnded: (ended: ProcessInfo) => void,
  opts: { intervalMs?: number; read?: ProcessReader } = {},
): Promise<LauncherWatch> {
  const read = opts.read ?? defaultReader();
  let chain: ProcessInfo[] = [];
  try {
    if (read) chain = await launcherChain(read);
  } catch (e) {
    return { chain, problem: e instanceof Error ? e.message : String(e), stop: () => undefined };
  }
  if (!read || chain.length === 0) return { chain, stop: () => undefined };
  let checking = false;
  let done = false;
  const timer = setInterval(() => {
    if (checking || done) return;
    checking = true;
    read(chain.map((p) => p.pid))
      .then((now) => {
        const ended = endedMember(chain, process.ppid, now);
        if (ended && !done) {
          done = true;
          clearInterval(timer);
          onEnded(ended);
        }
      })
      // A reading that failed (ps busy, out of processes) is tried again at the next tick.
      .catch(() => undefined)
      .finally(() => (checking = false));
  }, opts.intervalMs ?? 1000);
  timer.unref();
  return {
    chain,
    stop() {
      done = true;
      clearInterval(timer);
    },
  };
}
