/**
 * Which label set a project has: fixed when it is created, from its dataset's own labels
 * (Cityscapes and the synthetic generator: the 19 Cityscapes classes; CamVid: its 11) or from
 * the user's own list (plain frames), and read back from its stored form.
 */
import { UsageError } from '../errors';
import { CAMVID_LABEL_SET } from './camvid';
import { CITYSCAPES_LABEL_SET } from './cityscapes';
import { customLabelSet, makeLabelSet, storedLabelSet, type ClassInput, type LabelSet, type LabelSetKind } from './labelSet';

export const BUILTIN_LABEL_SETS: Readonly<Record<Exclude<LabelSetKind, 'custom'>, LabelSet>> = {
  cityscapes: CITYSCAPES_LABEL_SET,
  camvid: CAMVID_LABEL_SET,
};

/**
 * The label set of a new project: the dataset's own where its labels have one (`datasetKind`),
 * else the user's list (`custom`), else Cityscapes'. A user's list for a dataset whose labels
 * already name their classes is refused: those files can only be read in their own set.
 */
export function chooseLabelSet(datasetKind: Exclude<LabelSetKind, 'custom'> | null, custom: readonly ClassInput[] | undefined, datasetName: string): LabelSet {
  if (datasetKind && custom) {
    throw new UsageError(
      `${datasetName} brings ${BUILTIN_LABEL_SETS[datasetKind].title} labels, so its project uses that label set; a label set of your own needs a dataset without labels (plain video frames)`,
    );
  }
  if (datasetKind) return BUILTIN_LABEL_SETS[datasetKind];
  if (custom) return customLabelSet(custom);
  return CITYSCAPES_LABEL_SET;
}

/** A stored label set (projects.label_set_json) as a LabelSet; throws (zod) where it is malformed. */
export function labelSetFromStored(json: unknown): LabelSet {
  const s = storedLabelSet.parse(json);
  return makeLabelSet(s.kind, s.classes.map((c) => ({ name: c.name, color: c.color })));
}
