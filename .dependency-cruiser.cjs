/**
 * `npm run check:deps` (CI runs it before the tests): the import rules of ../shared/ARCHITECTURE.md.
 * - no circular imports anywhere in src/
 * - the search (src/tuners) never imports the data pipeline (src/data), and the data pipeline never
 *   imports the search: both import the small shared contract in src/contract/.
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
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // TypeScript 7 (the native compiler) has no JS parser API dependency-cruiser can use: parse with swc.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
