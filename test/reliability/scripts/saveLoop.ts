/**
 * Child process for the crash tests: saves masks to frames of a project in an endless loop,
 * printing `saved FRAME VERSION` after each save returns (`conflict FRAME` where another
 * writer saved that frame first), until it is killed.
 * usage: node bin/run-ts.mjs test/reliability/scripts/saveLoop.ts PROJECT FRAME_ID...
 */
import { openProject } from '../../../src/core/project/openProject';
import { getFrame, getMaskRow, ProjectStoreError, saveMask } from '../../../src/core/store';
import { maskPattern } from './maskPattern';

const [dir, ...ids] = process.argv.slice(2);
const p = await openProject(dir!);
const frameIds = ids.map(Number);
for (let i = 0; ; i++) {
  const id = frameIds[i % frameIds.length]!;
  const f = await getFrame(p.store, id);
  const version = ((await getMaskRow(p.store, id))?.version ?? 0) + 1;
  try {
    const row = await saveMask(p.store, id, maskPattern(id, version, f.width, f.height), 'crash-test', { expectedVersion: version - 1 });
    process.stdout.write(`saved ${id} ${row.version}\n`);
  } catch (e) {
    // Another writer saved this frame first: what an editor is told; reload and go on.
    if (!(e instanceof ProjectStoreError && e.reason === 'conflict')) throw e;
    process.stdout.write(`conflict ${id}\n`);
  }
}
