/**
 * Team benchmark (issue 20 point 5): saves per second and save latency (p50, p95) with 10 and
 * 50 simulated annotators working the labelling queue at once, on PostgreSQL and on the
 * SQLite embedded store, side by side in one run.
 *
 * npm run bench:team -- [--annotators 10,50] [--frames-each N] [--saves N] [--size HxW] [--db URL]
 *
 *   Each annotator (bench/teamAnnotators.ts) takes the next frame nobody holds (frameNext's
 *   leaseNextFrame), saves its mask --saves times (default 3; each save checked against the
 *   version it started from, the last marking it done) and takes the next, until the queue
 *   (annotators x --frames-each frames, default 4) is empty. Masks are --size (default
 *   256x512) PNGs written to the project folder by both engines.
 *   Both engines are used as one process uses them (the team server, the desktop app): one
 *   store, i.e. one SQLite connection, or one PostgreSQL pool of 4 connections.
 *   PostgreSQL: a throw-away server (initdb, Debian's postgresql package) with its durable
 *   defaults (fsync on), unless --db names an empty database to use (one run, so give one
 *   --annotators count; its tables stay: give a fresh database each time). SQLite: synchronous = FULL, as the app opens it.
 *   After each run every frame is checked: all saves there, versions 1..N, status done.
 * Prints exactly one JSON object on stdout; progress goes to stderr.
 */
import { cpus, loadavg, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CITYSCAPES_LABEL_SET } from '../src/core/labels';
import {
  addClip,
  addDataset,
  createPostgresProject,
  createProject,
  insertFrames,
  listMasks,
  openSqliteStore,
  queueForLabelling,
  type ProjectStore,
  type SqlEngine,
} from '../src/core/store';
import { startPostgresCluster, type PostgresCluster } from '../test/store/postgresCluster';
import { one } from '../src/core/store/sql';
import { simulateAnnotator } from './teamAnnotators';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const annotatorCounts = (flag('annotators') ?? '10,50').split(',').map(Number);
const framesEach = Number(flag('frames-each') ?? 4);
const savesPerFrame = Number(flag('saves') ?? 3);
const [height, width] = (flag('size') ?? '256x512').split('x').map(Number) as [number, number];
const log = (s: string) => process.stderr.write(`${s}\n`);

async function seed(store: ProjectStore, frames: number): Promise<number> {
  const project = await createProject(store, { name: 'team-bench', labelSet: CITYSCAPES_LABEL_SET });
  const dataset = await addDataset(store, { projectId: project.id, name: 'synth', format: 'cityscapes', rootPath: '/data/synth' });
  const clip = await addClip(store, { datasetId: dataset.id, key: 'synth_000000', split: 'train' });
  const ids = await insertFrames(
    store,
    Array.from({ length: frames }, (_, i) => ({ clipId: clip.id, index: i, imagePath: `f${i}.png`, split: 'train' as const, isKeyframe: true, width, height })),
  );
  await queueForLabelling(store, ids);
  return project.id;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

let postgresVersion: string | null = null;

async function runOne(engine: SqlEngine, annotators: number, open: (dir: string) => Promise<ProjectStore>) {
  const dir = mkdtempSync(join(tmpdir(), `depthseg-bench-team-${engine}-`));
  const store = await open(dir);
  try {
    if (engine === 'postgres') postgresVersion ??= (await one<{ v: string }>(store, 'SELECT version() AS v'))!.v;
    const frames = annotators * framesEach;
    const projectId = await seed(store, frames);
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: annotators }, (_, i) => simulateAnnotator(store, projectId, `ann${i}`, { savesPerFrame })));
    const seconds = (performance.now() - t0) / 1000;
    const saves = results.flatMap((r) => r.saves);
    const ms = saves.map((s) => s.ms).sort((a, b) => a - b);
    // nothing lost: every frame done at version savesPerFrame, handed out once
    const rows = await listMasks(store, { projectId });
    const complete = rows.filter((r) => r.status === 'done' && r.version === savesPerFrame).length;
    const handed = results.flatMap((r) => r.leased);
    if (complete !== frames || new Set(handed).size !== handed.length || saves.length !== frames * savesPerFrame) {
      throw new Error(`${engine} with ${annotators} annotators lost work: ${complete}/${frames} frames complete, ${handed.length} handed out, ${saves.length} saves`);
    }
    const out = {
      engine,
      annotators,
      frames,
      saves: saves.length,
      seconds: round(seconds, 2),
      savesPerSecond: round(saves.length / seconds),
      saveMs: { p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(ms[ms.length - 1]!) },
    };
    log(`${engine} x${annotators}: ${out.savesPerSecond} saves/s, p95 ${out.saveMs.p95} ms`);
    return out;
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const url = flag('db');
if (url && annotatorCounts.length > 1) {
  console.error('--db URL: an empty database holds one run; give one --annotators count with it');
  process.exit(2);
}
let cluster: PostgresCluster | undefined;
if (!url) {
  log('starting a throw-away PostgreSQL server (durable defaults)...');
  cluster = await startPostgresCluster({ durable: true });
}
const load0 = loadavg()[0]!;
const results = [];
try {
  for (const n of annotatorCounts) {
    results.push(await runOne('sqlite', n, (dir) => openSqliteStore(dir)));
    const db = url ?? (await cluster!.createDatabase());
    results.push(await runOne('postgres', n, (dir) => createPostgresProject(dir, db)));
  }
} finally {
  cluster?.stop();
}
const load1 = loadavg()[0]!;
console.log(
  JSON.stringify(
    {
      benchmark: 'team',
      date: new Date().toISOString(),
      cpus: cpus().length,
      node: process.version,
      postgres: postgresVersion,
      maskSize: `${height}x${width}`,
      savesPerFrame,
      framesPerAnnotator: framesEach,
      mayBeUnderLoad: Math.max(load0, load1) > cpus().length * 0.5,
      results,
    },
    null,
    2,
  ),
);
