/**
 * The "New project" form's checks (before anything is sent) and where the core's answer
 * belongs. The rules are the API's own (API_PARAMS.projectCreate: its bounds and the label
 * set's checks), put into words per field. Plain TypeScript (tested in Node).
 */
import { API_PARAMS, type ApiParams } from '../../../core/api/contract';

export interface ClassRow {
  name: string;
  /** '#rrggbb', or null: the core picks a colour. */
  color: string | null;
}

export interface CreateForm {
  source: 'folder' | 'synthetic';
  dir: string;
  dataset: string;
  format: '' | 'cityscapes' | 'camvid' | 'frames';
  /** As the number inputs give them: a number, or '' (empty or not a number). */
  sequences: number | string;
  height: number | string;
  width: number | string;
  classes: ClassRow[];
}

/** Where a problem is shown: next to a field, or under the Create button ('form'). */
export type CreateField = 'dir' | 'dataset' | 'sequences' | 'height' | 'width' | 'classes' | 'form';

export interface CreateCheck {
  readonly fields: Partial<Record<CreateField, string>>;
  /** Problems of single class rows, by row index. */
  readonly classRows: Readonly<Record<number, string>>;
  /** What to send, or null while anything is wrong. */
  readonly params: ApiParams<'projectCreate'> | null;
}

const schema = API_PARAMS.projectCreate.shape;
const synth = schema.synthetic.unwrap().shape;

function wholeInRange(label: string, v: number | string, min: number, max: number): string | null {
  if (v === '' || v === null || v === undefined) return `Give the ${label}.`;
  const n = Number(v);
  if (!Number.isFinite(n)) return `The ${label} must be a number.`;
  if (!Number.isInteger(n)) return `The ${label} must be a whole number.`;
  if (n < min || n > max) return `The ${label} must be from ${min} to ${max}.`;
  return null;
}

/** Class rows that say something: rows left entirely empty are ignored. */
const namedRows = (rows: readonly ClassRow[]): { row: ClassRow; index: number }[] =>
  rows.map((row, index) => ({ row, index })).filter(({ row }) => row.name.trim() !== '' || row.color !== null);

export function createProblems(f: CreateForm): CreateCheck {
  const fields: Partial<Record<CreateField, string>> = {};
  const classRows: Record<number, string> = {};
  if (!f.dir.trim()) fields.dir = 'Give a folder for the new project (it is created if missing).';
  if (f.source === 'folder') {
    if (!f.dataset.trim()) fields.dataset = 'Give the folder that holds the dataset.';
  } else {
    const s = wholeInRange('number of sequences', f.sequences, synth.sequences.minValue ?? 1, synth.sequences.maxValue ?? 200);
    const h = wholeInRange('height', f.height, synth.height.minValue ?? 16, synth.height.maxValue ?? 2048);
    const w = wholeInRange('width', f.width, synth.width.minValue ?? 16, synth.width.maxValue ?? 4096);
    if (s) fields.sequences = s;
    if (h) fields.height = h;
    if (w) fields.width = w;
  }
  // The class list: only for plain frames; empty = the Cityscapes classes.
  const rows = f.source === 'folder' && f.format === 'frames' ? namedRows(f.classes) : [];
  let classes: { name: string; color?: string }[] | undefined;
  if (rows.length > 0) {
    classes = rows.map(({ row }) => ({ name: row.name.trim(), ...(row.color ? { color: row.color } : {}) }));
    const r = schema.classes.safeParse(classes);
    if (!r.success) {
      for (const issue of r.error.issues) {
        const at = issue.path[0];
        if (typeof at === 'number') classRows[rows[at]!.index] ??= capitalise(issue.message);
        else fields.classes ??= `${capitalise(issue.message)} (or leave the list empty for the 19 Cityscapes classes).`;
      }
    }
  }
  const ok = Object.keys(fields).length === 0 && Object.keys(classRows).length === 0;
  if (!ok) return { fields, classRows, params: null };
  const params: ApiParams<'projectCreate'> =
    f.source === 'synthetic'
      ? { dir: f.dir.trim(), synthetic: { sequences: Number(f.sequences), height: Number(f.height), width: Number(f.width), seed: 1 } }
      : { dir: f.dir.trim(), dataset: f.dataset.trim(), ...(f.format ? { format: f.format } : {}), ...(classes ? { classes } : {}) };
  return { fields, classRows, params };
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Trailing slashes off, so "/data/camvid/" and the core's "/data/camvid" match. */
const bare = (p: string): string => p.trim().replace(/\/+$/, '');

/**
 * The field a refusal of projectCreate is about: the class list (label set messages), the
 * dataset folder (the core names it), the project folder (the core names it), else the form.
 */
export function fieldOfCreateError(message: string, f: Pick<CreateForm, 'source' | 'dir' | 'dataset'>): CreateField {
  if (/^label set:|label set of your own|\bclass(es)? \d|reserved for unlabelled/.test(message)) return 'classes';
  const dataset = f.source === 'folder' ? bare(f.dataset) : '';
  const dir = bare(f.dir);
  const inDataset = dataset !== '' && message.includes(dataset);
  const inDir = dir !== '' && message.includes(dir);
  // Both named (one folder inside the other): the longer path is the one the message is about.
  if (inDataset && inDir) return dataset.length >= dir.length ? 'dataset' : 'dir';
  if (inDataset) return 'dataset';
  if (inDir) return 'dir';
  if (f.source === 'folder' && /dataset|no frames found/i.test(message)) return 'dataset';
  return 'form';
}
