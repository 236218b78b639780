/**
 * Import rules, checked by `npm test` (`depcruise src`). docs/architecture.md explains them.
 * Layers, bottom up: lib → db → auth → plugins → features → app.ts / serve.ts / server.ts.
 */
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle makes load order matter and hides which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'lib-imports-only-lib',
      severity: 'error',
      comment: 'src/lib holds small pure helpers: they import nothing of the app.',
      from: { path: '^src/lib/' },
      to: { path: '^src/', pathNot: '^src/lib/' },
    },
    {
      name: 'lower-layers-import-no-feature',
      severity: 'error',
      comment: 'lib, db, auth and plugins serve every feature and know none of them.',
      from: { path: '^src/(lib|db|auth|plugins)/' },
      to: { path: '^src/(features|jobs)/|^src/(app|serve|server)\\.ts$' },
    },
    {
      name: 'features-do-not-import-the-composition-root',
      severity: 'error',
      comment: 'app.ts, serve.ts, server.ts and jobs/handlers.ts assemble features; features never import them.',
      from: { path: '^src/features/' },
      to: { path: '^src/(app|serve|server)\\.ts$|^src/jobs/handlers\\.ts$' },
    },
    {
      name: 'email-imports-no-other-feature',
      severity: 'error',
      comment: 'Features that send e-mail (ledger, wizard, contacts, reports) import email; it imports none of them.',
      from: { path: '^src/features/email/' },
      to: { path: '^src/features/', pathNot: '^src/features/email/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
