/**
 * The house's shape, checked in CI (npm run lint:arch): lower layers never import higher
 * ones, core never imports Electron or the UI, the renderer sees only the API contract.
 */
const core = '^src/core/';

/**
 * The layers of src/core, bottom to top. A folder imports only its own files, the layers
 * below it and the files directly in src/core: never a layer above, never another folder of
 * its own layer. Every folder of src/core is named here (rule core-folder-has-a-layer, and
 * test/arch/layers.test.ts): a new folder gets its place in the order before it lands.
 */
const LAYERS = [
  { name: 'vocabulary', folders: ['labels', 'settings'], about: 'label sets and setting declarations: plain data and zod' },
  { name: 'readers-and-engine', folders: ['data', 'engine'], about: 'dataset readers and image io; the tfjs backends and wasm training kernels' },
  { name: 'store-and-synth', folders: ['store', 'synth'], about: 'the project database; the procedural street renderer' },
  { name: 'ml', folders: ['ml'], about: 'nets, losses, geometry, mixing, trainers, metrics, prediction' },
  { name: 'selection', folders: ['selection'], about: 'frame selection: features, farthest point, uncertainty' },
  { name: 'assist', folders: ['assist'], about: 'annotation assist: superpixels, SDE features, masks carried along the clip' },
  { name: 'project', folders: ['project'], about: 'operations on one project folder, shared by the CLI and the API' },
  { name: 'report', folders: ['report'], about: "the HTML report of a project's results" },
  { name: 'workflows', folders: ['workflows'], about: 'what drives the whole loop end to end (the demo)' },
  { name: 'jobs', folders: ['jobs'], about: 'training and selection in worker threads' },
  { name: 'api', folders: ['api'], about: 'the typed API contract and its services' },
  { name: 'desktop', folders: ['desktop'], about: "the Electron shell's menu and window state as plain modules" },
];

/** The files directly in src/core (errors, fsAtomic, random, processAlive, asarPath): below every folder. */
const BASE_FILES = '^src/core/[^/]+$';
const folders = (names) => `^src/core/(${names.join('|')})/`;

const layerRules = [
  {
    name: 'layer-00-base-files',
    comment: 'The files directly in src/core sit below every folder: they import no folder of src/core.',
    severity: 'error',
    from: { path: BASE_FILES },
    to: { path: core, pathNot: BASE_FILES },
  },
  ...LAYERS.flatMap((layer, i) =>
    layer.folders.map((folder) => {
      const below = LAYERS.slice(0, i).flatMap((l) => l.folders);
      return {
        name: `layer-${String(i + 1).padStart(2, '0')}-${folder}`,
        comment: `${folder}/ (layer ${layer.name}: ${layer.about}) imports only itself, the base files and the layers below: ${below.join(', ') || 'none'}.`,
        severity: 'error',
        from: { path: `^src/core/${folder}/` },
        to: { path: core, pathNot: [BASE_FILES, folders([folder, ...below])] },
      };
    }),
  ),
];

module.exports = {
  forbidden: [
    {
      name: 'core-is-plain-node',
      comment: 'src/core holds domain logic only: no Electron, no UI framework, no app shells.',
      severity: 'error',
      from: { path: core },
      to: { path: ['^src/(main|preload|renderer|host|cli)/', 'node_modules/(electron|vue|pinia|konva|vue-konva)/'] },
    },
    {
      name: 'renderer-sees-only-the-contract',
      comment: 'The UI reaches the core only through src/core/api/contract.ts.',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { path: core, pathNot: '^src/core/api/contract\\.ts$' },
    },
    {
      name: 'renderer-no-node',
      severity: 'error',
      from: { path: '^src/renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    ...layerRules,
    {
      name: 'core-folder-has-a-layer',
      comment: 'Every folder of src/core has its place in LAYERS (top of this file).',
      severity: 'error',
      from: { path: '^src/core/[^/]+/', pathNot: folders(LAYERS.flatMap((l) => l.folders)) },
      to: {},
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
