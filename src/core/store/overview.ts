import type { MaskStatus } from './maskRepo';
import { countMasksByStatus } from './maskRepo';
import type { ProjectStore } from './projectStore';
import { one } from './sql';

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

export function projectOverview(store: ProjectStore, projectId: number): ProjectOverview {
  const n = (sql: string) => one<{ n: number }>(store, sql, projectId)!.n;
  return {
    datasets: n('SELECT count(*) AS n FROM datasets WHERE project_id = ?'),
    clips: n('SELECT count(*) AS n FROM clips c JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ?'),
    frames: n('SELECT coalesce(sum(c.frame_count), 0) AS n FROM clips c JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ?'),
    keyframes: n(
      'SELECT count(*) AS n FROM frames f JOIN clips c ON c.id = f.clip_id JOIN datasets d ON d.id = c.dataset_id WHERE d.project_id = ? AND f.is_keyframe = 1',
    ),
    suggested: n('SELECT count(DISTINCT p.frame_id) AS n FROM selection_picks p JOIN selection_rounds r ON r.id = p.round_id WHERE r.project_id = ?'),
    masks: countMasksByStatus(store, { projectId }),
    selectionRounds: n('SELECT count(*) AS n FROM selection_rounds WHERE project_id = ?'),
    runs: n('SELECT count(*) AS n FROM training_runs WHERE project_id = ?'),
  };
}
