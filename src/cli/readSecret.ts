/**
 * Reads a password for the CLI: from a file (--password-file), else from stdin: typed at a
 * terminal without echo, or piped (its first line). Never from argv, where `ps` shows it.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../core/errors';

const firstLine = (text: string): string => text.split(/\r?\n/)[0] ?? '';

export async function readSecret(prompt: string, file?: string): Promise<string> {
  if (file !== undefined) {
    try {
      return firstLine(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UsageError(`--password-file: cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
  }
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    return firstLine(Buffer.concat(chunks).toString('utf8'));
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  try {
    return await new Promise<string>((ok, fail) => {
      let typed = '';
      const onData = (d: Buffer): void => {
        for (const ch of d.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            process.stderr.write('\n');
            return ok(typed);
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            return fail(new UsageError('cancelled'));
          }
          if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
          else typed += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
  }
}
