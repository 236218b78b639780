import { Readable } from 'node:stream';
import type { Tx } from '../../src/db/index.ts';
import { importCdrs } from '../../src/features/usage/import.ts';
import { addDays, nowIso, todayIso } from '../../src/lib/dates.ts';
import { seededRandom } from '../../src/lib/seeded-random.ts';

// Customer, service type, price list, numbers, days since it started.
const services: [string, string, string, string[], number][] = [
  ['Acme Plumbing Ltd', 'Hosted Voice', 'Business Standard', ['01217371200', '01217371201'], 45],
  ['Baker & Sons Bakery', 'SIP Trunk', 'Business Standard', ['01217370100'], 6],
  // Evergreen has no Bill To location: the bill run's preview lists it with a link to add one (F1).
  ['Evergreen Dental Practice', 'Fax to E-mail', 'Partner Discount', ['01614961000'], 60],
];
// Price list, prefix, dollars a minute in millicents, minimum, increment.
const usageRates: [string, string, number, number, number][] = [
  ['Business Standard', '44', 2_000, 60, 6],
  ['Business Standard', '447', 12_000, 60, 6],
  ['Business Standard', '1', 1_500, 60, 6],
  ['Partner Discount', '44', 1_500, 60, 6],
];
const destinations = ['442071234567', '441617654321', '447700900123', '12125550123', '331234567'];

/**
 * Demo data for the bill run (D4, D6): active services with prices from the demo catalogue, usage rates,
 * a few days of call records (one destination without a rate), UK tax rates for the demo customers'
 * Bill To locations, an exemption that has expired, and commission plans for Acme's sales person and
 * the resellers, so a new user can preview and commit this month's bill run at once.
 */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const today = todayIso();
  // Services new "this month" and the calls start no earlier than its first day, so they are in its bill run.
  const inThisMonth = (date: string) => [date, `${today.slice(0, 7)}-01`].sort()[1];
  const id = async (table: string, name: string) => (await trx(table).where({ name }).first('id')).id as number;

  await trx('customers').where({ name: 'Acme Plumbing Ltd' }).update({ sales_person: 'Jordan Lee' });
  const numbers: string[] = [];
  for (const [customer, type, list, serviceNumbers, daysAgo] of services) {
    const customerId = await id('customers', customer);
    const priceListId = await id('price_lists', list);
    const typeId = await id('service_types', type);
    const price = await trx('price_list_items').where({ price_list_id: priceListId, service_type_id: typeId }).first();
    const startsOn = daysAgo > 30 ? addDays(today, -daysAgo) : inThisMonth(addDays(today, -daysAgo));
    const started = `${startsOn}T09:00:00.000Z`;
    const [{ id: serviceId }] = await trx('services')
      .insert({
        customer_id: customerId,
        service_type_id: typeId,
        price_list_id: priceListId,
        monthly_cents: price.monthly_cents,
        setup_cents: price.setup_cents,
        created_at: started,
        updated_at: started,
      })
      .returning('id');
    for (const number of serviceNumbers) {
      const phone = await trx('phone_numbers').where({ number }).first('id', 'grade');
      const gradePrice = await trx('price_list_items')
        .where({ price_list_id: priceListId, grade: phone.grade })
        .first();
      await trx('phone_numbers').where({ id: phone.id }).update({ status: 'assigned', customer_id: customerId });
      await trx('service_numbers').insert({
        service_id: serviceId,
        phone_number_id: phone.id,
        settings: '{}',
        monthly_cents: gradePrice?.monthly_cents ?? 0,
        setup_cents: 0,
        created_at: started,
        updated_at: started,
      });
      numbers.push(number);
    }
  }

  for (const [list, prefix, millicents, minimum, increment] of usageRates) {
    await trx('usage_rates').insert({
      price_list_id: await id('price_lists', list),
      prefix,
      per_minute_millicents: millicents,
      minimum_seconds: minimum,
      increment_seconds: increment,
      created_at: now,
    });
  }

  // Calls of the last four days (of this month, so this month's bill run takes them).
  const random = seededRandom(15);
  const rows: string[] = [];
  for (let day = 4; day >= 1; day--) {
    const date = inThisMonth(addDays(today, -day));
    for (let call = 0; call < 6; call++) {
      const number = numbers[Math.floor(random() * numbers.length)];
      const destination = destinations[Math.floor(random() * (destinations.length - 1))];
      const hour = String(8 + call).padStart(2, '0');
      rows.push(
        `demo-${date}-${call},${number},${destination},${date}T${hour}:1${call}:00Z,${Math.floor(random() * 600)}`,
      );
    }
  }
  rows.push(`demo-${today}-france,01217371200,${destinations[4]},${today}T08:00:00Z,95`);
  const file = `call_id,number,destination,started_at,duration_seconds\n${rows.join('\n')}\n`;
  await importCdrs(trx, Readable.from([file]), { filename: 'demo-calls.csv', actor: { userId: null } });

  await trx('tax_rates').insert(
    [
      ['UK VAT', 'GB', null, null, 'recurring', 20_000],
      ['UK VAT', 'GB', null, null, 'usage', 20_000],
      ['UK VAT', 'GB', null, null, 'setup', 20_000],
      ['West Midlands emergency services levy', 'GB', 'West Midlands', null, 'recurring', 500],
      ['Birmingham telecoms levy', 'GB', 'West Midlands', 'Birmingham', 'usage', 1_250],
    ].map(([name, country, region, city, kind, rate]) => ({
      name,
      country,
      region,
      city,
      charge_kind: kind,
      rate_millipercent: rate,
      created_at: now,
    })),
  );
  await trx('tax_exemptions').insert({
    customer_id: await id('customers', 'Baker & Sons Bakery'),
    certificate_ref: 'CHARITY-2019-114',
    expires_on: addDays(today, -90),
    created_at: now,
  });
  await trx('commission_plans').insert([
    {
      name: 'Sales team',
      payee_kind: 'sales_person',
      recurring_bp: 1_000,
      usage_bp: 500,
      setup_bp: 0,
      created_at: now,
    },
    {
      name: 'Reseller partners',
      payee_kind: 'reseller',
      recurring_bp: 250,
      usage_bp: 250,
      setup_bp: 250,
      created_at: now,
    },
  ]);
}
