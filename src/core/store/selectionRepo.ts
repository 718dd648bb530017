import { queueForLabelling, type MaskStatus } from './maskRepo';
import type { ProjectStore } from './projectStore';
import { all, insertReturningId, one, parseJsonObject, requireRow, run, toJson, transaction, type JsonObject } from './sql';

/** One round of frame selection: how it chose and which model scored the frames. */
export interface SelectionRound {
  id: number;
  projectId: number;
  /** e.g. 'random', 'ds', 'us', 'ds_us', 'entropy'. */
  method: string;
  params: JsonObject;
  scoredByRunId: number | null;
  scoredByCheckpointId: number | null;
  /** Identifies the model whose features/disparity scored the frames (e.g. a checkpoint hash). */
  modelKey: string | null;
  createdAt: string;
}

/** A frame picked in a round, with why. Scores are null where the method has none. */
export interface SelectionPick {
  roundId: number;
  /** 0 = picked first. */
  rank: number;
  frameId: number;
  score: number | null;
  diversityScore: number | null;
  uncertaintyScore: number | null;
}

export interface NewSelectionRound {
  projectId: number;
  method: string;
  params?: JsonObject;
  scoredByRunId?: number | null;
  scoredByCheckpointId?: number | null;
  modelKey?: string | null;
  /** In pick order; rank is the position in this list. */
  picks: ReadonlyArray<{ frameId: number; score?: number | null; diversityScore?: number | null; uncertaintyScore?: number | null }>;
  /** Add a `todo` label row for each picked frame that has none (default true). */
  queue?: boolean;
}

interface RoundSql {
  id: number;
  project_id: number;
  method: string;
  params_json: string;
  scored_by_run_id: number | null;
  scored_by_checkpoint_id: number | null;
  model_key: string | null;
  created_at: string;
}

interface PickSql {
  round_id: number;
  rank: number;
  frame_id: number;
  score: number | null;
  diversity_score: number | null;
  uncertainty_score: number | null;
}

function round(store: ProjectStore, r: RoundSql): SelectionRound {
  return {
    id: r.id,
    projectId: r.project_id,
    method: r.method,
    params: parseJsonObject(store, r.params_json, `selection_rounds row ${r.id} params_json`),
    scoredByRunId: r.scored_by_run_id,
    scoredByCheckpointId: r.scored_by_checkpoint_id,
    modelKey: r.model_key,
    createdAt: r.created_at,
  };
}

function pick(r: PickSql): SelectionPick {
  return {
    roundId: r.round_id,
    rank: r.rank,
    frameId: r.frame_id,
    score: r.score,
    diversityScore: r.diversity_score,
    uncertaintyScore: r.uncertainty_score,
  };
}

/** Stores a round and its picks in one transaction, and (by default) queues the picks for labelling. */
export async function createSelectionRound(store: ProjectStore, r: NewSelectionRound): Promise<SelectionRound> {
  return transaction(store, async () => {
    const id = await insertReturningId(
      store,
      `INSERT INTO selection_rounds (project_id, method, params_json, scored_by_run_id, scored_by_checkpoint_id, model_key, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      r.projectId,
      r.method,
      toJson(r.params),
      r.scoredByRunId ?? null,
      r.scoredByCheckpointId ?? null,
      r.modelKey ?? null,
      store.now(),
    );
    for (const [rank, p] of r.picks.entries()) {
      await run(
        store,
        'INSERT INTO selection_picks (round_id, rank, frame_id, score, diversity_score, uncertainty_score) VALUES (?, ?, ?, ?, ?, ?)',
        id,
        rank,
        p.frameId,
        p.score ?? null,
        p.diversityScore ?? null,
        p.uncertaintyScore ?? null,
      );
    }
    if (r.queue ?? true) await queueForLabelling(store, r.picks.map((p) => p.frameId));
    return await getSelectionRound(store, id);
  });
}

export async function getSelectionRound(store: ProjectStore, id: number): Promise<SelectionRound> {
  return round(store, requireRow(store, await one<RoundSql>(store, 'SELECT * FROM selection_rounds WHERE id = ?', id), `selection round with id ${id}`));
}

export async function listSelectionRounds(store: ProjectStore, projectId: number): Promise<SelectionRound[]> {
  return (await all<RoundSql>(store, 'SELECT * FROM selection_rounds WHERE project_id = ? ORDER BY id', projectId)).map((r) => round(store, r));
}

export async function listPicks(store: ProjectStore, roundId: number): Promise<SelectionPick[]> {
  return (await all<PickSql>(store, 'SELECT * FROM selection_picks WHERE round_id = ? ORDER BY rank', roundId)).map(pick);
}

/** Every time a frame was picked, oldest round first: why it was suggested. */
export async function picksOfFrame(store: ProjectStore, frameId: number): Promise<SelectionPick[]> {
  return (await all<PickSql>(store, 'SELECT * FROM selection_picks WHERE frame_id = ? ORDER BY round_id', frameId)).map(pick);
}

/** Frames picked in any round of the project, each once, in the order first picked. */
export async function selectedFrameIds(store: ProjectStore, projectId: number): Promise<number[]> {
  return (await all<{ frame_id: number }>(
    store,
    `SELECT p.frame_id FROM selection_picks p JOIN selection_rounds r ON r.id = p.round_id
     WHERE r.project_id = ? GROUP BY p.frame_id ORDER BY min(r.id), min(p.rank)`,
    projectId,
  )).map((r) => r.frame_id);
}

/** A suggested frame with the pick that proposed it first and its labelling status. */
export interface Suggestion extends SelectionPick {
  method: string;
  status: MaskStatus;
  /** The weight of the uncertainty in its round's scores (score = diversity + weight x uncertainty), where the round has one. */
  uncertaintyWeight: number | null;
}

/** The labelling queue: picked frames in the order they were proposed, with why and their status. */
export async function listSuggestions(store: ProjectStore, projectId: number, status?: MaskStatus): Promise<Suggestion[]> {
  const rows = await all<PickSql & { method: string; params_json: string; status: MaskStatus | null }>(
    store,
    `SELECT p.*, r.method, r.params_json, m.status FROM selection_picks p
       JOIN selection_rounds r ON r.id = p.round_id
       LEFT JOIN label_masks m ON m.frame_id = p.frame_id
     WHERE r.project_id = ? AND p.round_id = (
       SELECT min(p2.round_id) FROM selection_picks p2 JOIN selection_rounds r2 ON r2.id = p2.round_id
       WHERE p2.frame_id = p.frame_id AND r2.project_id = r.project_id)
     ORDER BY p.round_id, p.rank`,
    projectId,
  );
  return rows
    .map((r) => {
      const weight = parseJsonObject(store, r.params_json, `selection_rounds row ${r.round_id} params_json`).weight;
      return { ...pick(r), method: r.method, status: r.status ?? 'todo', uncertaintyWeight: typeof weight === 'number' ? weight : null };
    })
    .filter((s) => status === undefined || s.status === status);
}
