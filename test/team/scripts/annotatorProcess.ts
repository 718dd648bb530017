/**
 * A simulated annotator in a process of its own (the SQLite two-process queue test): opens
 * the project, says `ready`, waits for a line on stdin, then works through the queue
 * (simulateAnnotator) and prints its result as one JSON line.
 * usage: node bin/run-ts.mjs test/team/scripts/annotatorProcess.ts PROJECT NAME
 */
import { createInterface } from 'node:readline';
import { simulateAnnotator } from '../../../bench/teamAnnotators';
import { openProject } from '../../../src/core/project/openProject';

const [dir, name] = process.argv.slice(2);
const p = await openProject(dir!);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
await lines.next();
const result = await simulateAnnotator(p.store, p.project.id, name!, { savesPerFrame: 2 });
process.stdout.write(`${JSON.stringify(result)}\n`);
await p.close();
process.exit(0);
