import type Database from 'better-sqlite3';
import { BUILTIN_LABEL_SETS, toStored } from '../labels';

/**
 * The schema's history. Each migration moves the database from version `version - 1` to
 * `version`; they run in order, each in its own transaction, and `PRAGMA user_version`
 * records the last one applied. Never edit a migration that has shipped: add a new one.
 *
 * Conventions: snake_case names; times are ISO-8601 UTC text (`2026-11-24T22:05:00.000Z`);
 * columns ending in `_json` hold JSON text; paths under the project folder are relative to it
 * with forward slashes; frame and label paths are relative to their dataset's root.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: (db: Database.Database) => void;
}

const datasetsAndLabels = `
CREATE TABLE projects (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL CHECK (length(name) > 0),
  created_at    TEXT NOT NULL,
  settings_json TEXT NOT NULL DEFAULT '{}'
);

CREATE TABLE datasets (
  id           INTEGER PRIMARY KEY,
  project_id   INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  name         TEXT NOT NULL,
  format       TEXT NOT NULL CHECK (format IN ('cityscapes', 'camvid', 'frames')),
  root_path    TEXT NOT NULL,
  options_json TEXT NOT NULL DEFAULT '{}',
  created_at   TEXT NOT NULL,
  UNIQUE (project_id, name)
);

CREATE TABLE clips (
  id              INTEGER PRIMARY KEY,
  dataset_id      INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
  key             TEXT NOT NULL,
  split           TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
  frame_count     INTEGER NOT NULL DEFAULT 0,
  intrinsics_json TEXT,
  UNIQUE (dataset_id, key)
);
CREATE INDEX clips_by_split ON clips (split);

CREATE TABLE frames (
  id            INTEGER PRIMARY KEY,
  clip_id       INTEGER NOT NULL REFERENCES clips(id) ON DELETE CASCADE,
  idx           INTEGER NOT NULL CHECK (idx >= 0),
  image_path    TEXT NOT NULL,
  split         TEXT NOT NULL CHECK (split IN ('train', 'val', 'test')),
  is_keyframe   INTEGER NOT NULL DEFAULT 0 CHECK (is_keyframe IN (0, 1)),
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  gt_label_path TEXT,
  UNIQUE (clip_id, idx)
);
CREATE INDEX frames_by_split ON frames (split, is_keyframe);

CREATE TABLE label_masks (
  id             INTEGER PRIMARY KEY,
  frame_id       INTEGER NOT NULL UNIQUE REFERENCES frames(id) ON DELETE CASCADE,
  mask_path      TEXT,
  histogram_json TEXT,
  author         TEXT,
  status         TEXT NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'skipped')),
  created_at     TEXT NOT NULL,
  updated_at     TEXT NOT NULL,
  version        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX label_masks_by_status ON label_masks (status);

CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
) WITHOUT ROWID;
`;

const trainingRuns = `
CREATE TABLE training_runs (
  id            INTEGER PRIMARY KEY,
  project_id    INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind          TEXT NOT NULL CHECK (kind IN ('sde', 'seg', 'student')),
  mode          TEXT,
  parent_run_id INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,
  config_json   TEXT NOT NULL DEFAULT '{}',
  status        TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'running', 'paused', 'done', 'failed', 'cancelled')),
  progress_json TEXT NOT NULL DEFAULT '{}',
  created_at    TEXT NOT NULL,
  started_at    TEXT,
  finished_at   TEXT,
  error         TEXT
);
CREATE INDEX training_runs_by_project ON training_runs (project_id, kind, status);
CREATE INDEX training_runs_by_parent ON training_runs (parent_run_id);

-- NULL value = NaN (SQLite stores NaN as NULL); a run logging the same step again replaces it.
CREATE TABLE run_metrics (
  run_id INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  name   TEXT NOT NULL,
  step   INTEGER NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, name, step)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
  id           INTEGER PRIMARY KEY,
  run_id       INTEGER NOT NULL REFERENCES training_runs(id) ON DELETE CASCADE,
  step         INTEGER NOT NULL,
  path         TEXT NOT NULL,
  metrics_json TEXT NOT NULL DEFAULT '{}',
  created_at   TEXT NOT NULL,
  UNIQUE (run_id, step)
);

CREATE TABLE feature_cache (
  model_key  TEXT NOT NULL,
  frame_id   INTEGER NOT NULL REFERENCES frames(id) ON DELETE CASCADE,
  dims       INTEGER NOT NULL,
  data       BLOB NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (model_key, frame_id)
) WITHOUT ROWID;
CREATE INDEX feature_cache_by_frame ON feature_cache (frame_id);
`;

const selectionRounds = `
CREATE TABLE selection_rounds (
  id                      INTEGER PRIMARY KEY,
  project_id              INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  method                  TEXT NOT NULL,
  params_json             TEXT NOT NULL DEFAULT '{}',
  scored_by_run_id        INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,
  scored_by_checkpoint_id INTEGER REFERENCES checkpoints(id) ON DELETE SET NULL,
  model_key               TEXT,
  created_at              TEXT NOT NULL
);
CREATE INDEX selection_rounds_by_project ON selection_rounds (project_id);
CREATE INDEX selection_rounds_by_run ON selection_rounds (scored_by_run_id);
CREATE INDEX selection_rounds_by_checkpoint ON selection_rounds (scored_by_checkpoint_id);

CREATE TABLE selection_picks (
  round_id          INTEGER NOT NULL REFERENCES selection_rounds(id) ON DELETE CASCADE,
  rank              INTEGER NOT NULL CHECK (rank >= 0),
  frame_id          INTEGER NOT NULL REFERENCES frames(id) ON DELETE CASCADE,
  score             REAL,
  diversity_score   REAL,
  uncertainty_score REAL,
  PRIMARY KEY (round_id, rank),
  UNIQUE (round_id, frame_id)
) WITHOUT ROWID;
CREATE INDEX selection_picks_by_frame ON selection_picks (frame_id);

-- Ground-truth depth per frame where the dataset has it (the synthetic generator does).
ALTER TABLE frames ADD COLUMN depth_path TEXT;
`;

/**
 * Each project's label set, stored with it. Projects made before this version had the 19
 * Cityscapes classes unless a dataset of theirs was CamVid (whose 11 classes training used).
 */
function projectLabelSets(db: Database.Database): void {
  db.exec('ALTER TABLE projects ADD COLUMN label_set_json TEXT');
  const projects = db.prepare('SELECT id FROM projects').all() as { id: number }[];
  const camvid = db.prepare("SELECT 1 FROM datasets WHERE project_id = ? AND format = 'camvid' LIMIT 1");
  const update = db.prepare('UPDATE projects SET label_set_json = ? WHERE id = ?');
  for (const { id } of projects) {
    const set = camvid.get(id) ? BUILTIN_LABEL_SETS.camvid : BUILTIN_LABEL_SETS.cityscapes;
    update.run(JSON.stringify(toStored(set)), id);
  }
}

/**
 * The team queue (issue 20 point 3): a frame's lease (who holds it, until when), its review
 * (approved or sent back, by whom, when, with the comment) and every mask's history.
 */
export const maskWorkSql = (id: string) => `
ALTER TABLE label_masks ADD COLUMN lease_holder TEXT;
ALTER TABLE label_masks ADD COLUMN lease_until TEXT;
ALTER TABLE label_masks ADD COLUMN review_state TEXT CHECK (review_state IN ('approved', 'sent_back'));
ALTER TABLE label_masks ADD COLUMN review_comment TEXT;
ALTER TABLE label_masks ADD COLUMN reviewed_by TEXT;
ALTER TABLE label_masks ADD COLUMN reviewed_at TEXT;
CREATE INDEX label_masks_by_lease ON label_masks (lease_holder);

CREATE TABLE mask_events (
  id         ${id},
  frame_id   INTEGER NOT NULL REFERENCES frames(id) ON DELETE CASCADE,
  at         TEXT NOT NULL,
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL CHECK (action IN ('leased', 'released', 'saved', 'todo', 'in_progress', 'done', 'skipped', 'approved', 'sent_back')),
  version    INTEGER NOT NULL,
  comment    TEXT
);
CREATE INDEX mask_events_by_frame ON mask_events (frame_id, id);
`;

/**
 * Training jobs for other machines (issue 20 point 4, docs/team-workers.md): a PostgreSQL project's
 * Retrain / SDE pretraining becomes a row here that a `depthseg worker` claims (FOR UPDATE
 * SKIP LOCKED), heartbeats while it trains, and finishes; a job whose heartbeat is older than
 * the timeout is taken over by another worker. The workers seen recently are in job_workers.
 * SQLite projects train in-process and never fill these tables; they exist there too so that
 * both engines keep the same tables and versions (and migrate copies them).
 */
export const trainingJobsSql = (id: string) => `
CREATE TABLE training_jobs (
  id               ${id},
  project_id       INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
  kind             TEXT NOT NULL CHECK (kind IN ('sde', 'seg')),
  run_id           INTEGER REFERENCES training_runs(id) ON DELETE SET NULL,
  settings_json    TEXT NOT NULL DEFAULT '{}',
  checkpoint_every INTEGER,
  state            TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
  worker           TEXT,
  heartbeat_at     TEXT,
  attempts         INTEGER NOT NULL DEFAULT 0,
  max_attempts     INTEGER NOT NULL DEFAULT 3,
  cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1)),
  error            TEXT,
  created_at       TEXT NOT NULL,
  started_at       TEXT,
  finished_at      TEXT
);
CREATE INDEX training_jobs_by_state ON training_jobs (state, id);
CREATE INDEX training_jobs_by_run ON training_jobs (run_id);

CREATE TABLE job_workers (
  name      TEXT PRIMARY KEY,
  host      TEXT NOT NULL,
  engine    TEXT,
  last_seen TEXT NOT NULL
);
`;

/**
 * The team server's accounts (docs/team-server.md): name, role, scrypt hash. Only a PostgreSQL
 * project is served to a team; SQLite gets the same table so both schemas stay one.
 */
export const accountsSql = (id: string) => `
CREATE TABLE accounts (
  id            ${id},
  name          TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
  role          TEXT NOT NULL CHECK (role IN ('annotator', 'reviewer', 'engineer')),
  password_hash TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'projects, datasets, clips, frames, label masks, settings', up: (db) => db.exec(datasetsAndLabels) },
  { version: 2, name: 'training runs, metric history, checkpoints, feature cache', up: (db) => db.exec(trainingRuns) },
  { version: 3, name: 'selection rounds and picks; ground-truth depth path on frames', up: (db) => db.exec(selectionRounds) },
  { version: 4, name: 'label set per project', up: projectLabelSets },
  { version: 5, name: 'team queue: leases, reviews, mask history', up: (db) => db.exec(maskWorkSql('INTEGER PRIMARY KEY')) },
  { version: 6, name: 'training jobs for workers on other machines', up: (db) => db.exec(trainingJobsSql('INTEGER PRIMARY KEY')) },
  { version: 7, name: 'team server accounts', up: (db) => db.exec(accountsSql('INTEGER PRIMARY KEY')) },
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** Checks that a migration list is numbered 1, 2, 3, ... with no gap. */
export function checkMigrationOrder(list: readonly Migration[]): void {
  list.forEach((m, i) => {
    if (m.version !== i + 1) {
      throw new Error(`migration '${m.name}' has version ${m.version}; expected ${i + 1} (versions must be 1, 2, 3, ...)`);
    }
  });
}
