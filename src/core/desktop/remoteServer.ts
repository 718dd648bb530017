/**
 * The desktop app as a client of a team server (docs/team-server.md): started with
 * `--remote URL`, its window shows the team server's own page (sign-in, then the workbench)
 * instead of a local project. The window then has no preload: the page reaches only that
 * server, over its WebSocket, never this machine's core.
 */
import { UsageError } from '../errors';
import { isLoopback } from '../api/loopback';

/** The team server named by `--remote URL` (or `--remote=URL`) among the app's arguments; null without one. */
export function remoteServer(argv: readonly string[]): URL | null {
  let text: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--remote') text = argv[i + 1] ?? '';
    else if (a.startsWith('--remote=')) text = a.slice('--remote='.length);
  }
  if (text === undefined) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--remote: '${text.slice(0, 200)}' is not a URL; give the team server's address, e.g. https://depthseg.lab.example:8443/`);
  }
  if (url.username || url.password) throw new UsageError('--remote: leave the name and password out of the URL; the team server asks for them when it opens');
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new UsageError(`--remote: ${url.origin} is plain HTTP on the network: passwords would travel unencrypted. Use the team server's https:// address`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`--remote: ${url.protocol} is not a web address (https://...)`);
  return new URL('/', url.origin);
}
