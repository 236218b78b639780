import t from 'tap';
import { toStaffPrincipal } from '../../../src/auth/staff-users.ts';
import { priceTable } from '../../../src/features/catalogue/price-lists.ts';
import { priceSelection } from '../../../src/features/catalogue/pricing.ts';
import { suggestedGrade } from '../../../src/features/numbers/grades.ts';
import {
  type NumberFilters,
  prefixUpperBound,
  reserveNumbers,
  searchNumbers,
} from '../../../src/features/numbers/numbers.ts';
import { addNumbersToDraft, createWizardDraft } from '../../../src/features/wizard/drafts.ts';
import { findWizardDraftFor } from '../../../src/features/wizard/queries.ts';
import { validityReport } from '../../../src/features/wizard/validity.ts';
import { loadWizardState } from '../../../src/features/wizard/wizard.ts';
import { seededRandom } from '../../../src/lib/seeded-random.ts';
import { buildTestApp } from '../../helpers/app.ts';

const filters = (overrides: Partial<NumberFilters> = {}): NumberFilters => ({
  count: 5,
  prefix: '0121737',
  grade: null,
  method: 'next',
  digits: null,
  poolCustomerId: null,
  ...overrides,
});

t.test('number selection', async (t) => {
  const { db } = await buildTestApp(t);
  const now = new Date().toISOString();
  const later = new Date(Date.now() + 3600_000).toISOString();
  const earlier = new Date(Date.now() - 3600_000).toISOString();
  const draft = async (id: string) => {
    const { id: userId } = await db('users').first('id');
    await db('drafts').insert({
      id,
      kind: 'add-services',
      user_id: userId,
      data: '{}',
      created_at: now,
      updated_at: now,
      expires_at: later,
    });
  };

  t.test('next available is the lowest free numbers matching the filters, in order', async (t) => {
    await draft('draft-next-0001');
    const [first, second, third] = await searchNumbers(db, filters({ count: 3 }));
    t.same([first.number, second.number, third.number], ['01217370000', '01217370001', '01217370002']);

    await db('phone_numbers').where({ number: '01217370000' }).update({ status: 'assigned' });
    await reserveNumbers(db, 'draft-next-0001', [second.id], later);
    // A lapsed reservation counts as free again.
    await db('phone_numbers')
      .where({ number: '01217370002' })
      .update({ status: 'reserved', reserved_by_draft: null, reserved_until: earlier });
    const after = await searchNumbers(db, filters({ count: 3 }));
    t.same(
      after.map((n) => n.number),
      ['01217370002', '01217370003', '01217370004'],
      'assigned and reserved numbers are skipped',
    );

    const gold = await searchNumbers(db, filters({ grade: 'gold', count: 2 }));
    t.ok(
      gold.every((n) => n.grade === 'gold' && n.number.startsWith('0121737')),
      'the grade filter holds',
    );
    const lowestGold = await db('phone_numbers')
      .where({ grade: 'gold', status: 'available' })
      .whereNull('pool_customer_id')
      .where('number', 'like', '0121737%')
      .orderBy('number')
      .first();
    t.equal(gold[0].number, lowestGold.number, 'and it is the lowest gold number');

    const london = await searchNumbers(db, filters({ prefix: '0207946', count: 1 }));
    t.equal(london[0].number, '02079460000', 'the prefix filter holds');
    const anywhere = await searchNumbers(db, filters({ prefix: null, count: 1 }));
    t.equal(anywhere[0].number, '01217370002', 'no prefix: the lowest of all');
  });

  t.test('the pool decides where numbers come from', async (t) => {
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const pooled = await searchNumbers(db, filters({ poolCustomerId: acme.id, count: 50 }));
    t.equal(pooled.length, 20, "all of Acme's pool");
    t.ok(pooled.every((n) => n.pool_customer_id === acme.id));
    const publicPool = await searchNumbers(db, filters({ prefix: '012173712', count: 50 }));
    t.same(publicPool, [], 'the public pool does not include pooled numbers');
  });

  t.test('random picks different matching numbers each time, spread over the range', async (t) => {
    const first = await searchNumbers(db, filters({ method: 'random', count: 5 }), { random: seededRandom(1) });
    const again = await searchNumbers(db, filters({ method: 'random', count: 5 }), { random: seededRandom(1) });
    const other = await searchNumbers(db, filters({ method: 'random', count: 5 }), { random: seededRandom(99) });
    t.equal(first.length, 5);
    t.equal(new Set(first.map((n) => n.id)).size, 5, 'five different numbers');
    t.same(again, first, 'the same random sequence gives the same numbers');
    t.not(other.map((n) => n.number).join(), first.map((n) => n.number).join(), 'another sequence gives others');
    t.ok(
      first.every((n) => n.number.startsWith('0121737')),
      'every one matches the filters',
    );

    const seen = new Set<string>();
    const random = seededRandom(7);
    for (let i = 0; i < 40; i++)
      for (const n of await searchNumbers(db, filters({ method: 'random', count: 5 }), { random }))
        seen.add(n.number.slice(7, 8));
    t.ok(seen.size >= 2, `numbers come from across the block (thousands digits seen: ${[...seen].sort().join('')})`);

    const platinum = await searchNumbers(
      db,
      filters({ method: 'random', grade: 'platinum', prefix: null, count: 10 }),
      { random: seededRandom(3) },
    );
    const allPlatinum = await db('phone_numbers')
      .where({ grade: 'platinum', status: 'available' })
      .whereNull('pool_customer_id');
    t.ok(platinum.length > 0 && platinum.every((n) => n.grade === 'platinum'), 'a rare grade is found at random too');
    t.ok(platinum.length <= allPlatinum.length, 'never more than there are');
  });

  t.test('containing finds free numbers with the digit run, short or long', async (t) => {
    const long = await searchNumbers(db, filters({ method: 'containing', digits: '0777', prefix: null, count: 10 }));
    t.same(
      long.map((n) => n.number),
      ['01217370777', '01614960777', '02079460777'],
    );
    const short = await searchNumbers(db, filters({ method: 'containing', digits: '99', count: 10 }));
    t.equal(short.length, 10);
    t.ok(
      short.every((n) => n.number.includes('99') && n.number.startsWith('0121737')),
      'two digits: every number contains them',
    );
    const withGrade = await searchNumbers(
      db,
      filters({ method: 'containing', digits: '737', grade: 'platinum', count: 10 }),
    );
    t.ok(
      withGrade.every((n) => n.grade === 'platinum'),
      'with the other filters',
    );
    await db('phone_numbers').where({ number: '01217370777' }).update({ status: 'assigned' });
    const again = await searchNumbers(db, filters({ method: 'containing', digits: '0777', prefix: null, count: 10 }));
    t.notOk(
      again.some((n) => n.number === '01217370777'),
      'an assigned number is not offered',
    );
    t.same(await searchNumbers(db, filters({ method: 'containing', digits: '123456789' })), [], 'no match, no numbers');
  });

  t.test('a reservation goes to exactly one of two drafts reaching for the same number', async (t) => {
    await draft('draft-race-0001');
    await draft('draft-race-0002');
    const [target] = await searchNumbers(db, filters({ prefix: '0161496', count: 1 }));
    const [a, b] = await Promise.all([
      reserveNumbers(db, 'draft-race-0001', [target.id], later),
      reserveNumbers(db, 'draft-race-0002', [target.id], later),
    ]);
    t.same([a.length, b.length].sort(), [0, 1], 'one wins, the other is told it was taken');
    const row = await db('phone_numbers').where({ id: target.id }).first();
    t.equal(row.reserved_by_draft, a.length === 0 ? 'draft-race-0001' : 'draft-race-0002');
    t.same(
      await reserveNumbers(db, row.reserved_by_draft, [target.id], later),
      [],
      'the holder may reserve it again (to extend)',
    );
  });
});

t.test('prefix ranges and suggested grades', async (t) => {
  t.equal(prefixUpperBound('0121737'), '0121738');
  t.equal(prefixUpperBound('0129'), '013');
  t.equal(prefixUpperBound('999'), null);
  t.equal(suggestedGrade('01217377777'), 'platinum');
  t.equal(suggestedGrade('01217371234'), 'gold');
  t.equal(suggestedGrade('01217374343'), 'gold');
  t.equal(suggestedGrade('01217375550'), 'silver');
  t.equal(suggestedGrade('01217375300'), 'silver');
  t.equal(suggestedGrade('01217375271'), 'standard');
});

t.test('pricing per price list and grade', async (t) => {
  const { db } = await buildTestApp(t);
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first('id', 'name');
  const standard = await priceTable(db, (await db('price_lists').where({ name: 'Business Standard' }).first()).id);
  const partner = await priceTable(db, (await db('price_lists').where({ name: 'Partner Discount' }).first()).id);
  const selection = { serviceType: hosted, quantity: 2, grades: ['gold', 'standard', 'gold', 'platinum'] as const };

  const onStandard = priceSelection(standard, { ...selection, grades: [...selection.grades] });
  t.same(
    onStandard.lines.map((l) => [l.label, l.quantity, l.monthly_cents, l.setup_cents]),
    [
      ['Hosted Voice', 2, 3000, 5000],
      ['Gold numbers', 2, 1000, 10000],
      ['Platinum numbers', 1, 1500, 25000],
      ['Standard numbers', 1, 0, 0],
    ],
  );
  t.equal(onStandard.monthly_cents, 5500);
  t.equal(onStandard.setup_cents, 40000);
  t.same(onStandard.missing, []);

  const onPartner = priceSelection(partner, { ...selection, grades: [...selection.grades] });
  t.equal(onPartner.monthly_cents, 2400 + 800, 'the other list prices the same choice differently');
  t.same(onPartner.missing, ['Platinum numbers'], 'a grade the list has no price for is reported');

  const customerOnly = priceSelection(standard, { serviceType: null, quantity: 1, grades: [] });
  t.same(customerOnly, { lines: [], monthly_cents: 0, setup_cents: 0, missing: [] }, 'nothing chosen costs nothing');
});

t.test('the validity report: errors block, warnings inform', async (t) => {
  const { db } = await buildTestApp(t);
  const user = toStaffPrincipal(await db('users').where({ email: 'reseller@example.com' }).first());
  const hosted = await db('service_types').where({ name: 'Hosted Voice' }).first();
  const partner = await db('price_lists').where({ name: 'Partner Discount' }).first();
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const id = await createWizardDraft(db, user, {
    customer_mode: 'existing',
    account_number: acme.account_number,
    service_type_id: String(hosted.id),
    price_list_id: String(partner.id),
  });
  const report = async () => {
    const draft = (await findWizardDraftFor(db, user, id))!;
    return validityReport(db, user, draft, await loadWizardState(db, draft));
  };

  const bare = await report();
  t.same(
    bare.errors.map((e) => [e.step, e.text]),
    [
      ['customer', 'The customer has no PIN. Enter one on the Customer tab.'],
      ['numbers', 'No numbers are chosen. Add at least one on the Numbers tab.'],
    ],
    'a missing PIN and no numbers are errors',
  );

  const platinum = await db('phone_numbers').where({ number: '01217370000' }).first();
  const pooled = await db('phone_numbers').where({ pool_customer_id: acme.id }).orderBy('number').first();
  await addNumbersToDraft(db, (await findWizardDraftFor(db, user, id))!, [platinum.id, pooled.id], {
    caller_display_name: '',
    ring_time: '20',
    voicemail: 'on',
    forwarding_destination: '',
  });
  await db('customers').where({ id: acme.id }).update({ pin_hash: 'scrypt$x' });
  const chosen = await report();
  t.same(
    chosen.errors.map((e) => e.text),
    [
      '01217370000: Caller display name: Enter the caller display name.',
      '01217371200: Caller display name: Enter the caller display name.',
      'The price list Partner Discount has no price for Platinum numbers. Choose another price list on the Billing tab.',
    ],
    'an empty required setting and an unpriced grade are errors; the customer’s own pool is fine',
  );
  t.same(
    chosen.warnings.map((w) => w.text),
    [
      '01217370000: Ring time, Voicemail left at their defaults.',
      '01217371200: Ring time, Voicemail left at their defaults.',
    ],
    'settings left at their defaults are warnings',
  );

  await db('phone_numbers').where({ id: platinum.id }).update({ status: 'assigned', reserved_by_draft: null });
  await db('phone_numbers')
    .where({ id: pooled.id })
    .update({ reserved_until: new Date(Date.now() - 1000).toISOString() });
  const later = await report();
  t.ok(
    later.errors.some(
      (e) =>
        e.text ===
        '01217370000 has been taken by someone else since it was added. Remove it on the Numbers tab and choose another.',
    ),
    'a taken number is an error',
  );
  t.ok(
    later.warnings.some((w) => w.text.startsWith('The reservation of 01217371200 lapsed')),
    'a lapsed but free one a warning',
  );
  t.ok(
    later.effects.some((e) => e.startsWith('Assigns 01217371200 (Silver) to service 1')),
    'the full report lists the effects',
  );
});
