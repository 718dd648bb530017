import type { MaskStatus } from './maskRepo';
import { countMasksByStatus } from './maskRepo';
import type { ProjectStore } from './projectStore';
import { one, readTransaction } from './sql';

/** The numbers a project overview shows. */
export interface ProjectOverview {
  datasets: number;
  clips: number;
  frames: number;
  /** Labelled frames of each clip (the ones a dataset's ground truth exists for). */
  keyframes: number;
  /** Frames that any selection round picked. */
  suggested: number;
  masks: Record<MaskStatus, number>;
  selectionRounds: number;
  runs: number;
}

export async function projectOverview(store: ProjectStore, projectId: number): Promise<ProjectOverview> {
  const n = async (sql: string) => (await one<{ n: number }>(store, sql, projectId))!.n;
  return readTransaction(store, async () => ({
    datasets: await n('SELECT count(*) AS n FROM datasets WHERE project_id = ?'),
    clips: await n('SELECT count(*) AS n FROM clips c JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ?'),
    frames: await n('SELECT coalesce(sum(c.frame_count), 0) AS n FROM clips c JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ?'),
    keyframes: await n(
      'SELECT count(*) AS n FROM frames f JOIN clips c ON c.id = f.clip_id JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ? AND f.is_keyframe = 1',
    ),
    suggested: await n('SELECT count(DISTINCT p.frame_id) AS n FROM selection_picks p JOIN selection_rounds r ON r.id = p.round_id WHERE r.project_id = ?'),
    masks: await countMasksByStatus(store, { projectId }),
    selectionRounds: await n('SELECT count(*) AS n FROM selection_rounds WHERE project_id = ?'),
    runs: await n('SELECT count(*) AS n FROM training_runs WHERE project_id = ?'),
  }));
}
