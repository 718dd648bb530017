/**
 * Stands in for npx in the serve tests: starts `depthseg serve` on this process's own stdout
 * and stderr (as npx does), either itself or through `sh -c` (npx's way: npm exec → sh → node,
 * the shell waiting on node), prints `launched PID`, then waits to be killed.
 * usage: node test/cli/scripts/serveLauncher.mjs direct|shell RENDERER_DIR [SERVE FLAGS...]
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [shape, renderer, ...flags] = process.argv.slice(2);
const bin = fileURLToPath(new URL('../../../bin/depthseg.mjs', import.meta.url));
const args = [bin, 'serve', '--renderer', renderer, ...flags];
const child =
  shape === 'shell'
    ? // "; exit $?" keeps the shell waiting on node instead of exec'ing it, whatever sh this is.
      spawn('/bin/sh', ['-c', '"$0" "$@"; exit $?', process.execPath, ...args], { stdio: 'inherit' })
    : spawn(process.execPath, args, { stdio: 'inherit' });
process.stdout.write(`launched ${child.pid}\n`);
setInterval(() => undefined, 1 << 30);
