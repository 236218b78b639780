import { Readable } from 'node:stream';
import t from 'tap';
import type { Db } from '../../../src/db/index.ts';
import { importCdrs } from '../../../src/features/usage/import.ts';
import { aUsageRate, aVoiceService, cdrFile } from '../../fixtures/usage.ts';
import { buildTestApp, demoUsers, signIn } from '../../helpers/app.ts';

const file = cdrFile([
  'r1,01217370001,442071234567,2026-11-02T10:00:00Z,61', // 44: 66 s at 10c = 11c
  'r2,01217370001,447700900123,2026-11-02T11:00:00Z,30', // 447: minimum 60 s at 20c = 20c
  'r3,01217370001,447700900124,2026-11-02T12:00:00Z,30', // 447, billed below
  'r4,01217370001,3312345,2026-11-03T12:00:00Z,10', // no rate for 33
]);

/** Acme with a voice service on the first price list, rates for 44 and 447, and the calls above imported. */
async function ratedCalls(db: Db) {
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
  await aVoiceService(db, { customerId: acme.id, number: '01217370001', monthlyCents: 1_500, startsOn: '2026-10-01' });
  const uk = await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 });
  const mobile = await aUsageRate(db, { prefix: '447', perMinuteMillicents: 20_000 });
  await importCdrs(db, Readable.from([file]), { filename: 'nov.csv', actor: { userId: null } });
  // r3 is on an invoice already: its price is history.
  const invoice = await db('invoices').where('customer_id', acme.id).first('id');
  await db('cdrs').where('call_id', 'r3').update({ invoice_id: invoice.id });
  return { uk, mobile, listId: (await db('price_lists').orderBy('id').first('id')).id as number };
}

const priceOf = async (db: Db, callId: string) =>
  (await db('cdrs').where('call_id', callId).first('billed_seconds', 'rated_cents')) as Record<string, unknown>;

t.test('an admin edits a usage rate in its row: unbilled calls priced again, billed calls kept', async (t) => {
  const { app, db } = await buildTestApp(t);
  const { mobile, listId } = await ratedCalls(db);
  const admin = await signIn(app, demoUsers.admin);
  const page = await admin.get(`/usage/rates?price_list=${listId}`);
  t.match(page.body, 'aria-label="Edit usage rate for 447"');
  const url = `/usage/rates/${mobile.id}`;
  t.match((await admin.get(`${url}/edit`, { htmx: true })).body, /name="per_minute"[^>]*value="0\.20"/);

  const form = { prefix: '447', per_minute: '0.30', minimum_seconds: '30', increment_seconds: '1', version: '1' };
  const bad = await admin.put(url, { ...form, prefix: '44x', increment_seconds: '0' }, { htmx: true });
  t.equal(bad.statusCode, 422);
  t.match(bad.body, `id="usage-rate-${mobile.id}-prefix-error"`);
  t.match(bad.body, `id="usage-rate-${mobile.id}-increment_seconds-error"`);
  t.match(bad.body, /value="44x"/, 'the row comes back filled in');
  const taken = await admin.put(url, { ...form, prefix: '44' }, { htmx: true });
  t.equal(taken.statusCode, 422);
  t.match(taken.body, /already has a rate for this prefix/);

  const saved = await admin.put(url, form, { htmx: true });
  t.equal(saved.statusCode, 200);
  t.match(saved.body, /<td class="mono">447<\/td><td class="num">\$0\.30<\/td><td class="num">30<\/td>/);
  t.same(await priceOf(db, 'r2'), { billed_seconds: 30, rated_cents: 15 }, 'the unbilled call at the new rate');
  t.same(await priceOf(db, 'r3'), { billed_seconds: 60, rated_cents: 20 }, 'the billed call keeps its price');
  t.same(await priceOf(db, 'r1'), { billed_seconds: 66, rated_cents: 11 }, 'a call of another prefix is untouched');
  t.match(
    await db('audit_events')
      .where({ entity: 'usage_rates', entity_id: mobile.id, field: 'per_minute_millicents' })
      .first(),
    { action: 'update', old_value: '20000', new_value: '30000' },
  );
  t.equal((await admin.put(url, form, { htmx: true })).statusCode, 409, 'a stale version is refused');

  // A prefix changed away leaves its calls to the next longest one.
  const moved = await admin.post(url, { ...form, prefix: '4479', version: '2' });
  t.equal(moved.statusCode, 303);
  t.equal(moved.headers.location, `/usage/rates?price_list=${listId}`);
  t.same(await priceOf(db, 'r2'), { billed_seconds: 60, rated_cents: 10 }, 'priced by 44 now');
});

t.test(
  'deleting a usage rate: its calls fall back to a shorter prefix or are left for the preview to list',
  async (t) => {
    const { app, db } = await buildTestApp(t);
    const { uk, mobile, listId } = await ratedCalls(db);
    const admin = await signIn(app, demoUsers.admin);
    const confirm = await admin.get(`/usage/rates/${mobile.id}/delete`);
    t.match(confirm.body, /Delete the usage rate for 447\?/);
    t.match(confirm.body, /left unrated and the bill run’s preview lists them/);

    const fallBack = await admin.delete(`/usage/rates/${mobile.id}`, {}, { htmx: true });
    t.equal(fallBack.statusCode, 200);
    t.equal(fallBack.body, '', 'every call still has a rate: the row just goes');
    t.same(await priceOf(db, 'r2'), { billed_seconds: 60, rated_cents: 10 }, 'priced by 44');
    t.same(await priceOf(db, 'r3'), { billed_seconds: 60, rated_cents: 20 }, 'billed: kept');

    const unrated = await admin.delete(`/usage/rates/${uk.id}`, {}, { htmx: true });
    t.equal(unrated.headers['hx-redirect'], `/usage/rates?price_list=${listId}`, 'the page, to tell what happened');
    t.match((await admin.get(`/usage/rates?price_list=${listId}`)).body, /2 unbilled calls without a rate/);
    t.same(await priceOf(db, 'r1'), { billed_seconds: null, rated_cents: null });
    t.match(await db('audit_events').where({ entity: 'usage_rates', entity_id: uk.id, field: 'prefix' }).first(), {
      action: 'delete',
      old_value: '44',
    });
    const preview = await admin.get('/bill-run/preview?period=2026-11');
    t.match(
      preview.body,
      /3 calls of Hosted Voice to \d+ had no usage rate/,
      "the bill run's preview lists them with the call to 33",
    );
    t.equal((await admin.get(`/usage/rates/${uk.id}/edit`)).statusCode, 404, 'a deleted rate is not found');
    t.equal((await admin.post(`/usage/rates/${uk.id}/delete`)).statusCode, 404);
  },
);

t.test('only admins edit or delete usage rates', async (t) => {
  const { app, db } = await buildTestApp(t);
  const rate = await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 });
  const support = await signIn(app, demoUsers.support);
  t.equal((await support.get(`/usage/rates/${rate.id}/edit`)).statusCode, 403);
  t.equal((await support.put(`/usage/rates/${rate.id}`, { prefix: '4' }, { htmx: true })).statusCode, 403);
  t.equal((await support.post(`/usage/rates/${rate.id}/delete`)).statusCode, 403);
  const reseller = await signIn(app, demoUsers.reseller);
  t.equal((await reseller.delete(`/usage/rates/${rate.id}`, {}, { htmx: true })).statusCode, 403);
  t.ok(await db('usage_rates').where('id', rate.id).first());
});

t.test('a price list with more rates than a page shows them a page at a time, in prefix order', async (t) => {
  const { app, db } = await buildTestApp(t);
  const listId = (await db('price_lists').orderBy('id').first('id')).id;
  await db('usage_rates').where('price_list_id', listId).delete();
  const now = new Date().toISOString();
  const rows = Array.from({ length: 501 }, (_, i) => ({
    price_list_id: listId,
    prefix: `7${String(i).padStart(3, '0')}`,
    per_minute_millicents: 1_000,
    minimum_seconds: 60,
    increment_seconds: 6,
    created_at: now,
  }));
  for (let i = 0; i < rows.length; i += 100) await db('usage_rates').insert(rows.slice(i, i + 100));
  const admin = await signIn(app, demoUsers.admin);
  const first = (await admin.get(`/usage/rates?price_list=${listId}`)).body;
  t.equal(first.match(/<tr id="usage-rate-/g)?.length, 500);
  t.match(first, `href="/usage/rates?price_list=${listId}&amp;after=7499">Next rates`);
  const next = (await admin.get(`/usage/rates?price_list=${listId}&after=7499`)).body;
  t.equal(next.match(/<tr id="usage-rate-/g)?.length, 1);
  t.match(next, /<td class="mono">7500<\/td>/);
  t.notMatch(next, /Next rates/);
});
