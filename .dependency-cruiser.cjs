/**
 * `npm run check:deps` (CI runs it before the tests): the import rules of ../shared/ARCHITECTURE.md.
 * - no circular imports anywhere in src/
 * - the search (src/tuners) never imports the data pipeline (src/data), and the data pipeline never
 *   imports the search: both import the small shared contract in src/contract/.
 * - src/ loads tfjs through src/tf.cts (require), never by an ESM import (see that file).
 * Type-only imports count too (tsPreCompilationDeps): a type import is still a dependency of the design.
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A module must not import itself back through others (split out what both need).',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'search-not-data',
      severity: 'error',
      comment: 'src/tuners must not import src/data: put what both need in src/contract/.',
      from: { path: '^src/tuners/' },
      to: { path: '^src/data/' },
    },
    {
      name: 'data-not-search',
      severity: 'error',
      comment: 'src/data must not import src/tuners: put what both need in src/contract/.',
      from: { path: '^src/data/' },
      to: { path: '^src/tuners/' },
    },
    {
      name: 'tfjs-through-tf-cts',
      severity: 'error',
      comment: "Import tfjs as `import tf from '<...>/tf.cjs'`: an ESM import of the CommonJS bundles makes Node lex " +
        'about 6 MB of JavaScript in every thread (see src/tf.cts). require() is fine: nothing is lexed.',
      from: { path: '^src/', pathNot: '^src/tf[.]cts$' },
      to: { path: '^node_modules/@tensorflow/tfjs(-core|-layers|-data|-converter|-backend-wasm|-backend-cpu)?/', dependencyTypesNot: ['require'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JS parser API dependency-cruiser can use: parse with swc.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
