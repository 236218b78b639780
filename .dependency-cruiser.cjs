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
      name: 'wizard-imports-only-what-it-builds-on',
      severity: 'error',
      comment:
        'The Add Services Wizard builds on customers, the catalogue, numbers, services, audit, e-mail and drafts; ' +
        'any other feature it needs is a new dependency to decide on here.',
      from: { path: '^src/features/wizard/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(wizard|customers|catalogue|numbers|services|audit|email|drafts)/',
      },
    },
    {
      name: 'customers-do-not-import-the-wizard',
      severity: 'error',
      comment: 'The wizard uses New Customer Account\'s steps and customer creation, never the other way round.',
      from: { path: '^src/features/customers/' },
      to: { path: '^src/features/wizard/' },
    },
    {
      name: 'drafts-import-no-feature',
      severity: 'error',
      comment: 'The drafts module keeps any step-by-step form between its steps and knows none of them.',
      from: { path: '^src/features/drafts/' },
      to: { path: '^src/features/', pathNot: '^src/features/drafts/' },
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
