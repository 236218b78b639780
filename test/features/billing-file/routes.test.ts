import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { saveSettings } from '../../../src/features/settings/settings.ts';
import { anExternalCustomerCharged } from '../../fixtures/billing-file.ts';
import { aGroup, anExternalNumber, anInstitution } from '../../fixtures/institutions.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const PERIOD = '2031-03';
const ON = '2031-03-10';

/** An institution without a number whose customer has a charge in PERIOD: one billing error. */
async function oneBillingError(db: Db) {
  const inst = await anInstitution(db, 'Numberless College');
  const group = await aGroup(db, 'Numberless Lab', inst.id);
  const { customer } = await anExternalCustomerCharged(db, {
    name: 'Nora Numberless',
    institutionId: inst.id,
    groupId: group.id,
    issuedOn: ON,
    amounts: [4_200],
  });
  return { inst, group, customer };
}

t.test('the page lists every billing error with links to its fix, and the server refuses to generate', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { inst, group } = await oneBillingError(db);
  const admin = await signIn(app, demoUsers.admin);

  t.match((await admin.get('/')).body, /href="\/billing-file">External Billing File</, 'in the navigation');
  const page = await admin.get(`/billing-file?period=${PERIOD}`);
  t.equal(page.statusCode, 200);
  t.match(page.body, /1 billing error/);
  t.match(page.body, /Nora Numberless/);
  t.match(page.body, new RegExp(`href="/external-numbers\\?add=institution&amp;org=${inst.id}#institution-dialog"`));
  t.match(page.body, new RegExp(`href="/external-numbers\\?add=group&amp;org=${group.id}#group-dialog"`));
  t.match(page.body, /<button type="submit" class="button button-primary" disabled[^>]*>Generate file<\/button>/);
  t.match(page.body, /Fix the billing error first/);

  const recheck = await admin.get(`/billing-file?period=${PERIOD}`, { htmx: true });
  t.match(recheck.body, /^<section class="card stack" id="billing-validation"/, 'Re-check gets the validation alone');
  t.notMatch(recheck.body, /<html/);

  const refused = await admin.post('/billing-file/generate', { period: PERIOD });
  t.equal(refused.statusCode, 422);
  t.match(refused.body, /1 billing error[\s\S]*Nora Numberless/, 'the refusal lists the errors');
  t.equal((await db('billing_files')).length, 0);

  const invalid = await admin.post('/billing-file/generate', { period: '2031-13' });
  t.equal(invalid.statusCode, 422);
  t.match(invalid.body, /class="field-error" id="period-error">Choose a billing period as year and month/);
  t.match(invalid.body, /name="period" value="2031-13"/, 'the typed period comes back');
});

t.test(
  'the error link opens the add dialog at that institution; with the number, generate, download, mark final',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { inst } = await oneBillingError(db);
    const admin = await signIn(app, demoUsers.admin);

    const fix = await admin.get(`/external-numbers?add=institution&org=${inst.id}`);
    t.match(fix.body, /<dialog id="institution-dialog"[^>]* open data-modal-on-load>/, 'the dialog is open');
    t.match(fix.body, /Selected institution<\/span>\s*<strong>Numberless College<\/strong>/);
    const created = await admin.post('/external-numbers', { kind: 'institution', org_id: inst.id, number: 'NC-77' });
    t.equal(created.statusCode, 303);

    const page = await admin.get(`/billing-file?period=${PERIOD}`);
    t.match(page.body, /No billing errors/);
    const generated = await admin.post('/billing-file/generate', { period: PERIOD });
    t.equal(generated.statusCode, 303);
    const file = await db('billing_files').first();
    t.equal(generated.headers.location, `/billing-file?period=${PERIOD}#file-${file.id}`);

    const download = await admin.get(`/billing-file/files/${file.id}/download`);
    t.equal(download.statusCode, 200);
    t.match(download.headers['content-type'], /text\/csv/);
    t.match(download.headers['content-disposition'], `billing-file-${PERIOD}-draft-${file.id}.csv`);
    t.match(download.body, /^External Customer Number,/);
    t.match(download.body, /\nNC-77,Institution,Numberless College,LD\d+,,Nora Numberless,/);

    const confirm = await admin.get(`/billing-file/files/${file.id}/final`);
    t.match(confirm.body, /<h1>Mark final<\/h1>/, 'a confirmation page without JavaScript');
    const final = await admin.post(`/billing-file/files/${file.id}/final`);
    t.equal(final.statusCode, 303);
    const after = await admin.get(`/billing-file?period=${PERIOD}`);
    t.match(after.body, /The file for March 2031 is final/);
    t.match(after.body, /No charges were added to March 2031 after the file was made/);
    t.notMatch(after.body, /Generate file/);
    const again = await admin.get(`/billing-file/files/${file.id}/download`);
    t.equal(again.body, download.body, 'the final file downloads byte-identical');
    t.equal((await admin.post('/billing-file/generate', { period: PERIOD })).statusCode, 409);

    const history = await admin.get('/billing-file/history');
    t.match(history.body, new RegExp(`id="file-${file.id}"[\\s\\S]*Final[\\s\\S]*${file.checksum}`));
  },
);

t.test('the edit link opens the number row in edit mode at that row', async (t) => {
  const { app, db } = await buildTestApp(t);
  const inst = await anInstitution(db, 'Zeta Hospital');
  const entry = await anExternalNumber(db, { institution_id: inst.id }, 'ZH-1');
  const admin = await signIn(app, demoUsers.admin);
  const page = await admin.get(`/external-numbers?edit=${entry.id}`);
  t.match(page.body, new RegExp(`<tr id="ecn-${entry.id}" class="editing" data-inline-edit>`));
  t.match(page.body, /<input class="input" id="ecn-\d+-number" name="number" value="ZH-1"/);
});

t.test('only admins; unknown files are 404; nothing while the integration is off', async (t) => {
  const { app, db } = await buildTestApp(t);
  for (const email of [demoUsers.support, demoUsers.reseller]) {
    const agent = await signIn(app, email);
    t.equal((await agent.get('/billing-file')).statusCode, 403, `${email} may not open it`);
    t.equal((await agent.post('/billing-file/generate', { period: PERIOD })).statusCode, 403);
    t.notMatch((await agent.get('/')).body, /External Billing File/);
  }
  const admin = await signIn(app, demoUsers.admin);
  t.equal((await admin.get('/billing-file/files/999/download')).statusCode, 404);
  t.equal((await admin.post('/billing-file/files/999/final')).statusCode, 404);
  t.equal((await admin.get('/billing-file/files/abc/final')).statusCode, 404);
  t.equal((await admin.post('/billing-file/generate', { period: PERIOD }, { csrf: false })).statusCode, 403, 'CSRF');
  await saveSettings(db, { userId: null }, { external_billing_enabled: 'false' });
  t.equal((await admin.get('/billing-file')).statusCode, 404);
});

t.test('the history page is empty at first and pages through files', async (t) => {
  const { app } = await buildTestApp(t);
  const admin = await signIn(app, demoUsers.admin);
  const empty = await admin.get('/billing-file/history');
  t.match(empty.body, /No billing file has been generated yet/);
  const page = await admin.get('/billing-file?period=2031-02');
  t.match(page.body, /No file has been generated for February 2031 yet/);
  t.match(page.body, /No billing errors/);
  t.match(page.body, /0 external customers with 0 charges/);
});

t.test(
  'an institution switched to not billing externally takes its customers out of validation (audited)',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { inst } = await oneBillingError(db);
    // The customer's group bills externally by default and its setting wins: switch the group off too.
    const admin = await signIn(app, demoUsers.admin);
    const show = await admin.get(`/institutions/${inst.id}`);
    t.match(show.body, /<input type="checkbox" id="bills-externally" name="bills_externally" checked/);
    t.equal((await admin.post(`/institutions/${inst.id}/billing`, { version: 1 })).statusCode, 303);
    t.match(
      (await admin.get(`/billing-file?period=${PERIOD}`)).body,
      /1 billing error/,
      'the group still bills externally',
    );
    const group = await db('groups').where({ name: 'Numberless Lab' }).first();
    t.equal((await admin.post(`/groups/${group.id}/billing`, { version: 1 })).statusCode, 303);
    t.match((await admin.get(`/billing-file?period=${PERIOD}`)).body, /No billing errors/);
    t.match(
      await db('audit_events').where({ entity: 'institutions', entity_id: inst.id, field: 'bills_externally' }).first(),
      {
        old_value: 'true',
        new_value: 'false',
      },
    );
    const stale = await admin.post(`/institutions/${inst.id}/billing`, { version: 1, bills_externally: 'on' });
    t.equal(stale.statusCode, 303);
    t.equal(
      (await db('institutions').where('id', inst.id).first()).bills_externally,
      0,
      'a stale form changes nothing',
    );
  },
);
