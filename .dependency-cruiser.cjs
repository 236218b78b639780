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
      name: 'ledger-domain-imports-no-other-feature',
      severity: 'error',
      comment:
        'The ledger domain (invoices, payments, credits, balances) serves staff pages and the customer portal alike: ' +
        'it knows no feature but audit and email.',
      from: { path: '^src/features/ledger/', pathNot: '^src/features/ledger/staff/' },
      to: { path: '^src/features/', pathNot: '^src/features/(ledger|audit|email)/' },
    },
    {
      name: 'autopay-engine-is-pure',
      severity: 'error',
      comment:
        'The Autopay engine (E12, F2) is one pure function that the cycle, the dry run, the Invoice Summary and the ' +
        'calendar forecast share: it reads no database and imports only src/lib.',
      from: { path: '^src/features/ledger/autopay/engine\\.ts$' },
      to: { pathNot: '^src/lib/' },
    },
    {
      name: 'ledger-core-does-not-import-autopay',
      severity: 'error',
      comment: 'Autopay builds on payments and charging, never the other way; only the jobs list names its job.',
      from: { path: '^src/features/ledger/[^/]+\\.ts$', pathNot: '^src/features/ledger/jobs\\.ts$' },
      to: { path: '^src/features/ledger/autopay/' },
    },
    {
      name: 'ledger-staff-imports-only-customer-module-and-ledger',
      severity: 'error',
      comment: 'The staff billing pages are the ledger inside the Customer Module frame.',
      from: { path: '^src/features/ledger/staff/' },
      to: { path: '^src/features/', pathNot: '^src/features/(ledger|customer-module)/' },
    },
    {
      name: 'only-app-registers-ledger-staff',
      severity: 'error',
      comment:
        'The staff billing routes are registered by app.ts; nothing else builds on them. Call records fill a billing ' +
        'sub-tab and use its context only (their own rule says so).',
      from: { pathNot: '^src/app\\.ts$|^src/features/ledger/staff/|^src/features/usage/' },
      to: { path: '^src/features/ledger/staff/' },
    },
    {
      name: 'customers-imports-only-named-features',
      severity: 'error',
      comment:
        'Customer accounts (search, inventory, new account, Custom Account ID) sit below the Customer Module: ' +
        'they may use audit, drafts, external-numbers, institutions and numbers (service numbers are searchable), never customer-module or services.',
      from: { path: '^src/features/customers/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(customers|audit|drafts|external-numbers|institutions|numbers)/',
      },
    },
    {
      name: 'billing-file-imports-only-named-features',
      severity: 'error',
      comment:
        'The external billing file (A7) reads the effective numbers of external-numbers and the records of ' +
        'institutions, audits through audit and checks settings; it reads ledger tables but imports no ledger code.',
      from: { path: '^src/features/billing-file/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(billing-file|external-numbers|institutions|audit|settings)/',
      },
    },
    {
      name: 'customer-module-imports-only-named-features',
      severity: 'error',
      comment:
        "The Customer Module's tabs build on customers, services, external-numbers, institutions and audit; " +
        'features that fill a tab (billing, the wizard) import the frame, not the other way round.',
      from: { path: '^src/features/customer-module/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(customer-module|customers|services|external-numbers|institutions|audit)/|^src/features/ledger/(?!staff/)',
      },
    },
    {
      name: 'services-imports-only-named-features',
      severity: 'error',
      comment:
        'Services (Products, Orders, Service Details) use audit, catalogue and numbers, and of the Customer ' +
        'Module only its frame and tabs; settings for the quarantine an admin sets for numbers let go (C8).',
      from: { path: '^src/features/services/' },
      to: {
        path: '^src/features/',
        pathNot:
          '^src/features/(services|audit|catalogue|numbers|settings)/|^src/features/customer-module/(frame|tabs)\\.ts$',
      },
    },
    {
      name: 'email-imports-no-other-feature',
      severity: 'error',
      comment: 'Features that send e-mail (ledger, wizard, contacts, reports) import email; it imports none of them.',
      from: { path: '^src/features/email/' },
      to: { path: '^src/features/', pathNot: '^src/features/email/' },
    },
    {
      name: 'wizard-imports-only-what-it-builds-on',
      severity: 'error',
      comment:
        'The Add Services Wizard builds on customers, the catalogue, numbers, services, audit, e-mail and drafts; ' +
        'any other feature it needs is a new dependency to decide on here. Institutions: its new-customer form ' +
        'offers the institution and group picker (A5), as New Customer Account does.',
      from: { path: '^src/features/wizard/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(wizard|customers|catalogue|numbers|services|audit|email|drafts|institutions)/',
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
      name: 'contacts-imports-only-named-features',
      severity: 'error',
      comment:
        'Customer Details and contact profiles (E3) fill a Customer Module tab (its frame and tabs) and use audit, ' +
        'email and the ledger domain; never the portal or the staff billing pages.',
      from: { path: '^src/features/contacts/' },
      to: {
        path: '^src/features/',
        pathNot:
          '^src/features/(contacts|audit|email)/|^src/features/customer-module/(frame|tabs)\\.ts$|^src/features/ledger/(?!staff/)',
      },
    },
    {
      name: 'statements-imports-only-named-features',
      severity: 'error',
      comment:
        'Account statements (E3) read the ledger domain, e-mail with audit and email, and show on the Customer ' +
        'Module frame; the portal builds on them, not the other way round.',
      from: { path: '^src/features/statements/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/(statements|audit|email)/|^src/features/customer-module/frame\\.ts$|^src/features/ledger/(?!staff/)',
      },
    },
    {
      name: 'portal-imports-only-named-features',
      severity: 'error',
      comment:
        'The customer portal (E14) calls the same ledger domain as the staff pages, never ledger/staff; it uses ' +
        'contacts (sign-in, one-time links), email, and the sign-in and password schemas of auth and customers.',
      from: { path: '^src/features/portal/' },
      to: {
        path: '^src/features/',
        pathNot:
          '^src/features/(portal|contacts|statements|email)/|^src/features/ledger/(?!staff/)|^src/features/auth/schemas\\.ts$|^src/features/customers/schemas\\.ts$',
      },
    },
    {
      name: 'reports-imports-only-named-features',
      severity: 'error',
      comment:
        'Custom Reports (B5) read customers through auth/scope and use external-numbers (the effective number), ' +
        'audit and email; no other feature.',
      from: { path: '^src/features/reports/' },
      to: { path: '^src/features/', pathNot: '^src/features/(reports|audit|email|external-numbers)/' },
    },
    {
      name: 'usage-imports-only-named-features',
      severity: 'error',
      comment:
        'Call records (D4 *Unbilled CDRs*) are rated and shown inside the billing frame: of other features they ' +
        'use only the staff billing context (ledger/staff/context.ts) and audit (usage rates are edited audited), ' +
        'nothing else of the ledger or the bill run.',
      from: { path: '^src/features/usage/' },
      to: {
        path: '^src/features/',
        pathNot: '^src/features/usage/|^src/features/ledger/staff/context\\.ts$|^src/features/audit/',
      },
    },
    {
      name: 'bill-run-imports-only-named-features',
      severity: 'error',
      comment:
        'The bill run (rating, taxes, commissions; D6, F1) makes invoices through the ledger domain (never ' +
        'ledger/staff), reads call records from their table and audits tax rate and exemption changes; nothing ' +
        'else. Nothing but app.ts builds on it.',
      from: { path: '^src/features/bill-run/' },
      to: { path: '^src/features/', pathNot: '^src/features/bill-run/|^src/features/ledger/(?!staff/)|^src/features/audit/' },
    },
    {
      name: 'only-app-uses-the-bill-run',
      severity: 'error',
      comment: 'The bill run sits on top: the ledger, usage and the Customer Module know nothing of it.',
      from: { path: '^src/features/', pathNot: '^src/features/bill-run/' },
      to: { path: '^src/features/bill-run/' },
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
    // Resolve package subpath exports ("csv-stringify/sync") the way Node does.
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
