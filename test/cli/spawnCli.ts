import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(__dirname, '../../bin/depthseg.mjs');

export interface Spawned {
  readonly child: ChildProcess;
  /** Resolves when the process has exited, with its exit code (or 128 + signal number) and output. */
  readonly done: Promise<{ code: number; stdout: string; stderr: string }>;
  /** Resolves once stderr has matched the pattern (rejects if the process exits first). */
  waitForStderr(pattern: RegExp): Promise<void>;
}

/** Runs the real `depthseg` command as a child process without blocking, so a test can signal it. */
export function spawnCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, FORCE_COLOR: '0', ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: () => void; reject: (e: Error) => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    check();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
  const done = new Promise<{ code: number; stdout: string; stderr: string }>((resolveDone) => {
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      for (const w of waiters.splice(0)) w.reject(new Error(`depthseg exited (${code ?? signal}) before stderr matched ${w.pattern}:\n${stderr}`));
      resolveDone({ code: code ?? 128 + (signal === 'SIGINT' ? 2 : signal === 'SIGKILL' ? 9 : 15), stdout, stderr });
    });
  });
  return {
    child,
    done,
    waitForStderr: (pattern) =>
      new Promise<void>((res, rej) => {
        waiters.push({ pattern, resolve: res, reject: rej });
        check();
      }),
  };
}
