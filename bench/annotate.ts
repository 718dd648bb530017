/**
 * Annotation benchmark (issue 18): strokes a scripted annotator needs to bring a frame to 90%
 * and 95% pixel accuracy with each tool of the annotator (noc90 / noc95, cap 100 strokes; the
 * protocol: bench/annotateProtocol.ts), on labelled frames of the synthetic generator and on
 * CamVid's validation images where ../shared/data holds them.
 *
 * npm run bench:annotate -- [--quick] [--json] [--data DIR] [--synth N] [--camvid N]
 *   [--size HxW] [--cap N] [--tolerance X] [--radius-div N] [--sde-model DIR]
 *   [--tools LIST] [--no-extras] [--sde-layers LIST] [--sde-scale N] [--sde-join J] [--l2 X]
 *   [--seg-model DIR] [--seg-join J] [--colour-tolerance X]
 *
 *   full (default): 12 synthetic frames at 256x512 (the labelled frame of sequences 0..11,
 *                   seed 7) and 12 CamVid val images (480x360, evenly spread over the 101);
 *                   also SLIC's time on one 2048x1024 synthetic frame, and the assist's
 *                   update time there over 20 strokes (assist2048).
 *   --quick:        2 synthetic frames at 128x256 and 2 CamVid images, no 2048x1024 timing.
 *   --data DIR:     where camvid/ lies (default ../shared/data); read in place, never copied.
 *                   Absent: the CamVid part is skipped with a message.
 *   --sde-model DIR: a depth network's folder (a project's SDE checkpoint,
 *                   checkpoints/run-N/step-M/model): adds assist_sde, the assist with that
 *                   network's features per superpixel (src/core/assist/sdeFeatures.ts),
 *                   and propagation.sde (with the pose network beside it, ../pose).
 *                   Without it assist_sde is skipped with a message.
 *   --seg-model DIR: a segmentation network's folder (a project's segmentation checkpoint):
 *                   adds assist_seg (colour, position and its class probabilities per
 *                   superpixel, src/core/assist/segFeatures.ts) and, with --sde-model too,
 *                   assist_sde_seg (both); --seg-join J how they join (default the app's).
 *                   Use a network trained on other frames than the benchmark's.
 *   --probe:        also the feature probe of each frame (bench/featureProbe.ts): pixel accuracy
 *                   of a classifier trained on the true class of every 20th superpixel, with
 *                   colour and position, the SDE features alone, and both (probe.*).
 *   --tools LIST:   only these tools (comma-separated keys, default all; none: no tool, e.g. with --probe).
 *   --no-extras:    skip propagation and the 2048x1024 timing (for comparing assist set-ups).
 *   --sde-layers LIST, --sde-scale N: which maps of the depth network, at N times its input
 *                   size (src/core/assist/sdeFeatures.ts; defaults: the app's).
 *   --sde-join J, --l2 X: how the SDE block joins colour and position (linear, block, pca3)
 *                   and the classifier's L2 penalty (src/renderer/src/annotator/assistFeatures.ts;
 *                   defaults: the app's, ASSIST_DEFAULTS).
 *   --colour-tolerance X: propagation's colour check (mean absolute RGB difference, 0..255;
 *                   default: the app's, DEFAULT_COLOUR_TOLERANCE).
 * Propagation ("Next frame in clip", src/core/assist/propagate.ts): the labelled frame (19)
 * of each synthetic sequence carried to frame 20, with the generator's depth and poses
 * (propagation.groundTruth) and with the SDE networks' (propagation.sde, at the app's depth
 * tolerance for predicted depth), each without and with the colour check (groundTruthColour,
 * sdeColour: the frames' colours given, what the app does); each reports
 * `agreement` (share of the painted pixels that match frame 20's labels) and `painted`
 * (share of frame 20 painted); `unwarped` is frame 19's mask taken as it is, for scale;
 * `moved`: the same counted only over frame 20's pixels whose label the moving actors' own
 * motion changes (bench/propagationProtocol.ts), with their share of the frames;
 * `refined`: the carried mask's unpainted rest proposed by the live assist trained on the
 * carried pixels (colour and position), what it adds and the carried + proposed whole.
 * Keys: brush (round brush only), brush_fill (brush + the region fill, which follows the
 * image), superpixel (the superpixel brush), assist_colour (brush, with the live assist's
 * proposal, colour and position features, taken for every unpainted pixel; also its update
 * time, updateMs). The brush radius is width/32 pixels (--radius-div N: width/N).
 * --json prints exactly one JSON object on stdout; progress goes to stderr.
 */
import { existsSync, readdirSync } from 'node:fs';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { initEngine } from '../src/core/engine/backend';
import { loadModelFromFolder } from '../src/core/ml/nets/modelFiles';
import { type SdeFeatureOptions, superpixelSdeFeatures } from '../src/core/assist/sdeFeatures';
import { superpixelSegFeatures } from '../src/core/assist/segFeatures';
import { joinSuperpixelFeatures } from '../src/core/assist/superpixelPooling';
import { ASSIST_DEFAULTS, type AssistOptions, LiveAssist, acceptProposal } from '../src/renderer/src/annotator/assist';
import { type ExtraFeatures, SDE_JOINS, type SdeJoin } from '../src/renderer/src/annotator/assistFeatures';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSize, readLabel, readRgb, type Size } from '../src/core/data/imageIo';
import { LABEL_ID_TO_TRAIN_ID } from '../src/core/labels/cityscapes';
import { LABELLED_FRAME, createBuffers, createSequence, renderFrame, synthIntrinsics } from '../src/core/synth';
import sharp from 'sharp';
import { DEFAULT_COLOUR_TOLERANCE, PREDICTED_DEPTH_TOLERANCE, propagateMask } from '../src/core/assist/propagate';
import { sdeMotion } from '../src/core/assist/sdeMotion';
import type { RasterU8 } from '../src/core/data/imageIo';
import type { FrameBuffers } from '../src/core/synth';
import { type Frame, type ToolName, type ToolRun, type ToolSummary, IGNORE, NETWORK_ASSISTS, TOOLS, frameSuperpixels, runTool, summarise } from './annotateProtocol';
import { type ProbeResult, probeFeatures } from './featureProbe';
import { type AgreementCounts, agreementCounts, agreementOf, synthFramePair } from './propagationProtocol';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const str = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const num = (name: string, dflt: number, min = 1): number => {
  const v = str(name);
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number of at least ${min} (got ${v})`);
  return n;
};
const known = new Set(['--quick', '--json', '--data', '--synth', '--camvid', '--size', '--cap', '--tolerance', '--radius-div', '--sde-model', '--tools', '--no-extras', '--sde-layers', '--sde-scale', '--sde-join', '--l2', '--probe', '--seg-model', '--seg-join', '--colour-tolerance']);
for (let i = 0; i < args.length; i++) {
  if (!args[i]!.startsWith('--')) continue;
  if (!known.has(args[i]!)) throw new Error(`unknown flag ${args[i]} (flags: ${[...known].join(', ')})`);
}
const quick = flag('--quick');
const json = flag('--json');
const synthCount = Math.round(num('--synth', quick ? 2 : 12, 0));
const camvidCount = Math.round(num('--camvid', quick ? 2 : 12, 0));
const size: Size = parseSize(str('--size') ?? (quick ? '128x256' : '256x512'));
const cap = Math.round(num('--cap', 100));
const tolerance = num('--tolerance', 20, 0);
const radiusDivisor = num('--radius-div', 32, 4);
const colourTolerance = num('--colour-tolerance', DEFAULT_COLOUR_TOLERANCE, 0);
const dataRoot = resolve(str('--data') ?? join(process.cwd(), '..', 'shared', 'data'));
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const sdeModelDir = str('--sde-model');
const extras = !flag('--no-extras');
const probe = flag('--probe');
const sdeOptions: SdeFeatureOptions = {
  ...(str('--sde-layers') ? { layers: str('--sde-layers')!.split(',') } : {}),
  ...(str('--sde-scale') ? { inputScale: Math.round(num('--sde-scale', 1)) } : {}),
};
const joinArg = str('--sde-join');
const segJoinArg = str('--seg-join');
for (const [flagName, j] of [['--sde-join', joinArg], ['--seg-join', segJoinArg]] as const) {
  if (j !== undefined && !(SDE_JOINS as readonly string[]).includes(j)) throw new Error(`${flagName} must be one of ${SDE_JOINS.join(', ')} (got ${j})`);
}
const assistOptions: AssistOptions = {
  ...(joinArg ? { sdeJoin: joinArg as SdeJoin } : {}),
  ...(segJoinArg ? { segJoin: segJoinArg as SdeJoin } : {}),
  ...(str('--l2') ? { l2: num('--l2', 0, 0) } : {}),
};
const toolsArg = str('--tools') === 'none' ? [] : str('--tools')?.split(',');
for (const t of toolsArg ?? []) if (!(TOOLS as readonly string[]).includes(t)) throw new Error(`--tools: unknown tool ${t} (tools: ${TOOLS.join(', ')})`);
let sdeModel: LayersModel | null = null;
let poseModel: LayersModel | null = null;
// The propagation warp runs on tfjs as well.
await initEngine({ threads: 1, log });
if (sdeModelDir) {
  if (!existsSync(join(sdeModelDir, 'model.json'))) throw new Error(`--sde-model ${sdeModelDir}: no model.json there (give a checkpoint's model folder)`);
  sdeModel = await loadModelFromFolder(resolve(sdeModelDir));
  log(`SDE features from ${sdeModelDir} (input ${sdeModel.inputs[0]!.shape.slice(1, 3).join('x')})`);
  const poseDir = join(resolve(sdeModelDir), '..', 'pose');
  if (existsSync(join(poseDir, 'model.json'))) poseModel = await loadModelFromFolder(poseDir);
  else log(`propagation.sde skipped: no pose network in ${poseDir}`);
} else {
  log('assist_sde and propagation.sde skipped: no --sde-model DIR given (a depth network from an SDE run)');
}
const segModelDir = str('--seg-model');
let segModel: LayersModel | null = null;
if (segModelDir) {
  if (!existsSync(join(segModelDir, 'model.json'))) throw new Error(`--seg-model ${segModelDir}: no model.json there (give a checkpoint's model folder)`);
  segModel = await loadModelFromFolder(resolve(segModelDir));
  log(`class probabilities from ${segModelDir} (input ${segModel.inputs[0]!.shape.slice(1, 3).join('x')})`);
} else {
  log('assist_seg and assist_sde_seg skipped: no --seg-model DIR given (a segmentation network)');
}
const networks = { sde: sdeModel, seg: segModel };
const tools = TOOLS.filter((t) => (!(t in NETWORK_ASSISTS) || NETWORK_ASSISTS[t as keyof typeof NETWORK_ASSISTS].every((n) => networks[n])) && (!toolsArg || toolsArg.includes(t)));

function synthFrames(n: number): Frame[] {
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) {
    const buf = createBuffers(size.width, size.height);
    renderFrame(createSequence(7, i), LABELLED_FRAME, synthIntrinsics(size), buf);
    const gt = buf.label.map((id) => LABEL_ID_TO_TRAIN_ID[id] ?? IGNORE);
    frames.push({ name: `synth seq ${i}`, width: size.width, height: size.height, rgb: buf.rgb, gt });
  }
  return frames;
}

async function camvidFrames(n: number): Promise<{ frames: Frame[]; skipped?: string }> {
  const root = join(dataRoot, 'camvid');
  if (n === 0) return { frames: [] };
  if (!existsSync(join(root, 'val')) || !existsSync(join(root, 'valannot'))) {
    return { frames: [], skipped: `${root}/val and valannot are absent (real samples are not part of a fresh clone): CamVid skipped` };
  }
  const names = readdirSync(join(root, 'val')).filter((f) => f.endsWith('.png')).sort();
  const picked = Array.from({ length: Math.min(n, names.length) }, (_, i) => names[Math.floor((i * names.length) / Math.min(n, names.length))]!);
  const frames: Frame[] = [];
  for (const name of picked) {
    const rgb = await readRgb(join(root, 'val', name));
    const label = await readLabel(join(root, 'valannot', name));
    if (label.width !== rgb.width || label.height !== rgb.height) throw new Error(`${name}: label ${label.width}x${label.height} but image ${rgb.width}x${rgb.height}`);
    // CamVid's 11 is void: not counted.
    const gt = label.data.map((v) => (v >= 11 ? IGNORE : v));
    frames.push({ name: `camvid ${name}`, width: rgb.width, height: rgb.height, rgb: rgb.data, gt });
  }
  return { frames };
}

interface DatasetResult {
  readonly frames: number;
  readonly size: string;
  readonly radius: number;
  readonly slicMsMedian: number;
  readonly superpixels: number;
  readonly tools: Record<ToolName, ToolSummary>;
  readonly perFrame: { name: string; strokes90: Record<ToolName, number | null>; strokes95: Record<ToolName, number | null> }[];
  /** --probe: the feature probe's accuracy, mean over the frames (and per frame). */
  readonly probe?: ProbeResult & { perFrame: ProbeResult[] };
}

async function runDataset(frames: readonly Frame[]): Promise<DatasetResult> {
  const runs = Object.fromEntries(tools.map((t) => [t, [] as ToolRun[]])) as Record<ToolName, ToolRun[]>;
  const slic: number[] = [];
  const counts: number[] = [];
  const perFrame: DatasetResult['perFrame'] = [];
  const probes: ProbeResult[] = [];
  let radius = 0;
  for (const frame of frames) {
    const { map, slicMs, count } = frameSuperpixels(frame);
    slic.push(slicMs);
    counts.push(count);
    radius = Math.max(2, Math.round(frame.width / radiusDivisor));
    const settings = { radius, cap, tolerance, assist: assistOptions };
    const row = { name: frame.name, strokes90: {} as Record<ToolName, number | null>, strokes95: {} as Record<ToolName, number | null> };
    const sde = sdeModel && (tools.some((t) => t.includes('sde')) || probe) ? await superpixelSdeFeatures(sdeModel, frame.rgb, map, sdeOptions) : null;
    const seg = segModel && tools.some((t) => t.includes('seg')) ? await superpixelSegFeatures(segModel, frame.rgb, map) : null;
    const extraFor = (tool: ToolName): ExtraFeatures | undefined => {
      const parts = tool in NETWORK_ASSISTS ? NETWORK_ASSISTS[tool as keyof typeof NETWORK_ASSISTS].map((n) => (n === 'sde' ? sde : seg)!) : [];
      if (parts.length === 0) return undefined;
      const joined = joinSuperpixelFeatures(parts);
      return { data: joined.features, dims: joined.dims, segDims: seg && parts.includes(seg) ? seg.dims : 0 };
    };
    if (probe && sde) {
      probes.push(probeFeatures(map, frame.gt, { data: sde.features, dims: sde.dims }, assistOptions.sdeJoin ?? ASSIST_DEFAULTS.sdeJoin));
      log(`${frame.name}: probe ${JSON.stringify(probes.at(-1))}`);
    }
    for (const tool of tools) {
      const r = runTool(tool, frame, map, settings, extraFor(tool));
      runs[tool].push(r);
      row.strokes90[tool] = r.strokes90;
      row.strokes95[tool] = r.strokes95;
    }
    perFrame.push(row);
    if (tools.length > 0) log(`${frame.name}: ${tools.map((t) => `${t} ${row.strokes90[t] ?? '-'}/${row.strokes95[t] ?? '-'}`).join(', ')} (strokes to 90/95%)`);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
  return {
    frames: frames.length,
    size: frames[0] ? `${frames[0].height}x${frames[0].width}` : '',
    radius,
    slicMsMedian: Math.round(median(slic)),
    superpixels: Math.round(median(counts)),
    tools: Object.fromEntries(tools.map((t) => [t, summarise(runs[t], cap)])) as Record<ToolName, ToolSummary>,
    perFrame,
    ...(probes.length > 0 ? { probe: { ...meanProbe(probes), perFrame: probes } } : {}),
  };
}

function meanProbe(ps: readonly ProbeResult[]): ProbeResult {
  const mean = (k: keyof ProbeResult): number => Math.round((1000 * ps.reduce((s, p) => s + p[k], 0)) / ps.length) / 1000;
  return { colour: mean('colour'), sde: mean('sde'), joint: mean('joint') };
}

type Agreement = { agreement: number; painted: number };
/** The ways a mask is carried: the generator's depth and poses, the SDE networks', each without and with the colour check. */
const CARRIERS = ['groundTruth', 'groundTruthColour', 'sde', 'sdeColour'] as const;
type Carrier = (typeof CARRIERS)[number];

interface PropagationResult {
  readonly pairs: number;
  readonly size: string;
  readonly frames: string;
  /** The colour check's tolerance in the *Colour rows. */
  readonly colourTolerance: number;
  readonly groundTruth: Agreement;
  readonly groundTruthColour: Agreement;
  readonly sde: Agreement | { skipped: string };
  readonly sdeColour: Agreement | { skipped: string };
  /**
   * The carried mask refined by the live assist (colour and position, trained on the carried
   * pixels): `proposed` is what it adds (agreement there, share of the frame), `combined` the
   * carried pixels plus it; for each way of carrying.
   */
  readonly refined: Record<Carrier, { proposed: Agreement; combined: Agreement } | null>;
  readonly unwarped: { agreement: number };
  /** Only over the pixels the actors' motion changes: their share of the frames, and each way of carrying there (unwarped too). */
  readonly moved: { share: number } & Partial<Record<Carrier | 'unwarped', Agreement>>;
}

const trainIdsOf = (b: FrameBuffers): Uint8Array => b.label.map((id) => LABEL_ID_TO_TRAIN_ID[id] ?? IGNORE);
const round3 = (v: { agreement: number; painted: number }) => ({ agreement: Math.round(v.agreement * 1000) / 1000, painted: Math.round(v.painted * 1000) / 1000 });

async function atNetworkSize(rgb: Uint8Array, model: LayersModel): Promise<RasterU8> {
  const [, h, w] = model.inputs[0]!.shape as number[];
  const data = await sharp(Buffer.from(rgb.buffer, rgb.byteOffset, rgb.byteLength), { raw: { width: size.width, height: size.height, channels: 3 } })
    .resize(w!, h!, { fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  return { width: w!, height: h!, channels: 3, data: new Uint8Array(data) };
}

/** The labelled frame of sequences 0..n-1 carried to the next frame: with ground truth, with the SDE networks, each without and with the colour check. */
async function propagation(n: number): Promise<PropagationResult> {
  const counts = Object.fromEntries(CARRIERS.map((k) => [k, [] as AgreementCounts[]])) as Record<Carrier, AgreementCounts[]>;
  const moved = Object.fromEntries([...CARRIERS, 'unwarped'].map((k) => [k, [] as AgreementCounts[]])) as Record<Carrier | 'unwarped', AgreementCounts[]>;
  const still: AgreementCounts[] = [];
  const refined = Object.fromEntries(CARRIERS.map((k) => [k, { proposed: [] as AgreementCounts[], combined: [] as AgreementCounts[] }])) as Record<
    Carrier,
    { proposed: AgreementCounts[]; combined: AgreementCounts[] }
  >;
  let movedPixels = 0;
  for (let i = 0; i < n; i++) {
    const pair = synthFramePair(7, i, LABELLED_FRAME, size, 1);
    const source = trainIdsOf(pair.source);
    const truth = trainIdsOf(pair.target);
    movedPixels += pair.moved.reduce((s, v) => s + v, 0);
    const common = { width: size.width, height: size.height, sourceMask: source, intrinsics: pair.intrinsics };
    const colour = { sourceImage: pair.source.rgb, targetImage: pair.target.rgb, colourTolerance };
    const targetSuperpixels = frameSuperpixels({ name: '', width: size.width, height: size.height, rgb: pair.target.rgb, gt: truth }).map;
    const record = (k: Carrier | 'unwarped', carried: Uint8Array): void => {
      moved[k].push(agreementCounts(carried, truth, pair.moved));
      if (k === 'unwarped') return;
      counts[k].push(agreementCounts(carried, truth));
      const p = new LiveAssist(targetSuperpixels).propose(carried);
      refined[k].proposed.push(agreementCounts(p.classes, truth));
      refined[k].combined.push(agreementCounts(acceptProposal(carried, p.classes), truth));
    };
    const gtMotion = { sourceDepth: pair.source.depth, targetDepth: pair.target.depth, targetToSource: pair.targetToSource };
    record('groundTruth', (await propagateMask({ ...common, ...gtMotion })).mask);
    record('groundTruthColour', (await propagateMask({ ...common, ...gtMotion, ...colour })).mask);
    still.push(agreementCounts(source, truth));
    record('unwarped', source);
    const last = (k: Carrier): string => `${k} ${JSON.stringify(round3(agreementOf([counts[k].at(-1)!])))}`;
    const line = [last('groundTruth'), last('groundTruthColour')];
    if (sdeModel && poseModel) {
      const motion = await sdeMotion(sdeModel, poseModel, await atNetworkSize(pair.source.rgb, sdeModel), await atNetworkSize(pair.target.rgb, sdeModel), 1, size);
      record('sde', (await propagateMask({ ...common, ...motion, depthTolerance: PREDICTED_DEPTH_TOLERANCE })).mask);
      record('sdeColour', (await propagateMask({ ...common, ...motion, depthTolerance: PREDICTED_DEPTH_TOLERANCE, ...colour })).mask);
      line.push(last('sde'), last('sdeColour'));
    }
    log(`propagation synth seq ${i}: ${line.join(', ')}`);
  }
  const skipped = { skipped: sdeModel ? 'no pose network beside --sde-model' : 'no --sde-model given' };
  const pooled = (k: Carrier): Agreement | null => (counts[k].length > 0 ? round3(agreementOf(counts[k])) : null);
  return {
    pairs: n,
    size: `${size.height}x${size.width}`,
    frames: `${LABELLED_FRAME} -> ${LABELLED_FRAME + 1}`,
    colourTolerance,
    groundTruth: pooled('groundTruth')!,
    groundTruthColour: pooled('groundTruthColour')!,
    sde: pooled('sde') ?? skipped,
    sdeColour: pooled('sdeColour') ?? skipped,
    unwarped: { agreement: round3(agreementOf(still)).agreement },
    moved: {
      share: Math.round((1000 * movedPixels) / (n * size.width * size.height)) / 1000,
      ...Object.fromEntries(Object.entries(moved).flatMap(([k, c]) => (c.length > 0 ? [[k, round3(agreementOf(c))]] : []))),
    },
    refined: Object.fromEntries(
      CARRIERS.map((k) => [k, refined[k].proposed.length > 0 ? { proposed: round3(agreementOf(refined[k].proposed)), combined: round3(agreementOf(refined[k].combined)) } : null]),
    ) as PropagationResult['refined'],
  };
}

const started = Date.now();
const datasets: Record<string, DatasetResult | { skipped: string }> = {};
if (synthCount > 0) {
  log(`synthetic: ${synthCount} frames at ${size.height}x${size.width}`);
  datasets['synth'] = await runDataset(synthFrames(synthCount));
}
const camvid = await camvidFrames(camvidCount);
if (camvid.skipped) {
  log(camvid.skipped);
  datasets['camvid'] = { skipped: camvid.skipped };
} else if (camvid.frames.length > 0) {
  log(`CamVid: ${camvid.frames.length} val images`);
  datasets['camvid'] = await runDataset(camvid.frames);
}
const propagationResult = synthCount > 0 && extras ? await propagation(synthCount) : null;
let slic2048: { ms: number; superpixels: number } | null = null;
let assist2048: { strokes: number; updateMs: { median: number; p95: number }; accuracy: number } | null = null;
if (!quick && extras) {
  const big = { width: 2048, height: 1024 };
  const buf = createBuffers(big.width, big.height);
  renderFrame(createSequence(7, 0), LABELLED_FRAME, synthIntrinsics(big), buf);
  const frame: Frame = { name: 'synth 2048x1024', ...big, rgb: buf.rgb, gt: buf.label.map((id) => LABEL_ID_TO_TRAIN_ID[id] ?? IGNORE) };
  const { map, slicMs, count } = frameSuperpixels(frame);
  slic2048 = { ms: Math.round(slicMs), superpixels: count };
  log(`SLIC on 2048x1024: ${slic2048.ms} ms, ${count} superpixels`);
  // The assist's update time at full size: 20 strokes of the scripted annotator.
  const run = runTool('assist_colour', frame, map, { radius: Math.round(big.width / radiusDivisor), cap: 20, tolerance });
  const s = summarise([run], 20);
  assist2048 = { strokes: run.accuracy.length, updateMs: s.updateMs ?? { median: NaN, p95: NaN }, accuracy: s.finalAccuracy };
  log(`assist on 2048x1024: update median ${assist2048.updateMs.median} ms, p95 ${assist2048.updateMs.p95} ms over ${run.accuracy.length} strokes`);
}

const result = {
  bench: 'annotate',
  date: new Date().toISOString().slice(0, 10),
  command: `npm run bench:annotate --${args.length ? ` ${args.join(' ')}` : ''}`,
  sdeModel: sdeModelDir ?? null,
  sdeFeatures: sdeOptions,
  segModel: segModelDir ?? null,
  assist: assistOptions,
  protocol: { cap, tolerance, accuracy: 'pixel accuracy over non-ignore pixels, from an empty mask', radius: `width/${radiusDivisor} px, less in thinner regions` },
  machine: { cpus: cpus().length, loadavg: loadavg().map((l) => Math.round(l * 100) / 100) },
  datasets,
  propagation: propagationResult,
  slic2048,
  assist2048,
  seconds: Math.round((Date.now() - started) / 1000),
};
if (json) {
  process.stdout.write(`${JSON.stringify(result)}\n`);
} else {
  for (const [name, d] of Object.entries(datasets)) {
    if ('skipped' in d) {
      console.log(`${name}: ${d.skipped}`);
      continue;
    }
    console.log(`\n${name}: ${d.frames} frames at ${d.size}, brush radius ${d.radius}, ~${d.superpixels} superpixels (SLIC median ${d.slicMsMedian} ms)`);
    console.log('tool         noc90   noc95   reached 90%  reached 95%  final acc %');
    for (const t of tools) {
      const s = d.tools[t];
      console.log(`${t.padEnd(12)} ${String(s.noc90).padStart(6)}  ${String(s.noc95).padStart(6)}  ${`${s.reached90}/${s.frames}`.padStart(11)}  ${`${s.reached95}/${s.frames}`.padStart(11)}  ${String(s.finalAccuracy).padStart(11)}`);
    }
  }
  for (const [name, d] of Object.entries(datasets)) {
    if ('skipped' in d) continue;
    for (const t of ['assist_colour', 'assist_sde', 'assist_seg', 'assist_sde_seg'] as const) {
      const u = d.tools[t]?.updateMs;
      if (u) console.log(`${name}: ${t} proposal update after a stroke (retrain + predict): median ${u.median} ms, p95 ${u.p95} ms`);
    }
  }
  if (propagationResult) {
    const r = propagationResult;
    const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
    const row = (a: Agreement | { skipped: string } | undefined): string => (!a ? 'n/a' : 'skipped' in a ? `skipped (${a.skipped})` : `${pct(a.agreement)} / ${pct(a.painted)}`);
    const names: Record<Carrier, string> = {
      groundTruth: 'ground-truth depth and poses',
      groundTruthColour: `ground-truth depth and poses, colour check ${r.colourTolerance}`,
      sde: 'SDE depth and pose',
      sdeColour: `SDE depth and pose, colour check ${r.colourTolerance}`,
    };
    console.log(`\npropagation (${r.pairs} synthetic clips at ${r.size}, frame ${r.frames}): agreement where painted / share painted; on the pixels the actors' motion changes (${pct(r.moved.share)} of the frames)`);
    for (const k of CARRIERS) console.log(`  ${names[k]}: ${row(r[k])}; moved pixels ${row(r.moved[k])}`);
    console.log(`  frame ${LABELLED_FRAME}'s mask unwarped: ${pct(r.unwarped.agreement)} / 100%; moved pixels ${row(r.moved.unwarped)}`);
    for (const k of CARRIERS) {
      const f = r.refined[k];
      if (f) console.log(`  ${k} carried, refined by the assist: it proposes ${pct(f.proposed.painted)} of the frame at ${pct(f.proposed.agreement)}; carried + proposed ${pct(f.combined.agreement)} / ${pct(f.combined.painted)}`);
    }
  }
  if (slic2048) console.log(`\nSLIC on 2048x1024: ${slic2048.ms} ms (${slic2048.superpixels} superpixels)`);
  if (assist2048) console.log(`assist on 2048x1024: proposal update median ${assist2048.updateMs.median} ms, p95 ${assist2048.updateMs.p95} ms (${assist2048.strokes} strokes, ${assist2048.accuracy}% after them)`);
}
