/**
 * The house's shape, checked in CI (npm run lint:arch): lower layers never import higher
 * ones, core never imports Electron or the UI, the renderer sees only the API contract.
 */
const core = '^src/core/';
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
    {
      name: 'bottom-layers-stay-at-the-bottom',
      comment: 'store, data, engine and synth sit at the bottom of core.',
      severity: 'error',
      from: { path: '^src/core/(store|data|engine|synth)/' },
      to: { path: '^src/core/(ml|selection|jobs|api)/' },
    },
    {
      name: 'ml-below-selection-jobs-api',
      severity: 'error',
      from: { path: '^src/core/ml/' },
      to: { path: '^src/core/(selection|jobs|api)/' },
    },
    {
      name: 'selection-below-jobs-api',
      severity: 'error',
      from: { path: '^src/core/selection/' },
      to: { path: '^src/core/(jobs|api)/' },
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
