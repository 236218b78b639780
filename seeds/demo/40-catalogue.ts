import type { Tx } from '../../src/db/index.ts';
import type { Grade } from '../../src/features/numbers/grades.ts';
import { inventoryRow } from '../../src/features/numbers/numbers.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { seededRandom } from '../../src/lib/seeded-random.ts';

type Setting = [key: string, label: string, kind: string, defaultValue: string, required: boolean];

const serviceTypes: { name: string; description: string; settings: Setting[] }[] = [
  {
    name: 'Hosted Voice',
    description:
      'A cloud phone line on each number: calls ring the customer’s desk phones and mobile app, with voicemail, call forwarding and a caller display name. Billed monthly per service; each number is priced by its grade.',
    settings: [
      ['caller_display_name', 'Caller display name', 'text', '', true],
      ['ring_time', 'Ring time', 'seconds', '20', false],
      ['voicemail', 'Voicemail', 'on-off', 'on', false],
      ['forwarding_destination', 'Forwarding destination', 'phone', '', false],
    ],
  },
  {
    name: 'SIP Trunk',
    description:
      'Numbers delivered to the customer’s own phone system over SIP. The customer’s system answers the calls; an overflow destination takes calls when it cannot be reached.',
    settings: [
      ['caller_display_name', 'Caller display name', 'text', '', true],
      ['overflow_destination', 'Overflow destination', 'phone', '', false],
    ],
  },
  {
    name: 'Fax to E-mail',
    description: 'Faxes sent to the number arrive as PDF attachments in an e-mail inbox. No equipment needed.',
    settings: [
      ['delivery_email', 'Delivery e-mail address', 'email', '', true],
      ['fax_header', 'Fax header', 'text', 'Fax', false],
    ],
  },
];

// [monthly, set-up] in cents; the Partner Discount list has no platinum price (a validity report error).
const priceLists: {
  name: string;
  services: Record<string, [number, number]>;
  grades: Partial<Record<Grade, [number, number]>>;
}[] = [
  {
    name: 'Business Standard',
    services: { 'Hosted Voice': [1500, 2500], 'SIP Trunk': [950, 5000], 'Fax to E-mail': [400, 0] },
    grades: { standard: [0, 0], silver: [200, 1000], gold: [500, 5000], platinum: [1500, 25000] },
  },
  {
    name: 'Partner Discount',
    services: { 'Hosted Voice': [1200, 0], 'SIP Trunk': [800, 2500], 'Fax to E-mail': [300, 0] },
    grades: { standard: [0, 0], silver: [150, 500], gold: [400, 2500] },
  },
];

// Prefix -> how many numbers from …0000 up; Birmingham, Manchester and London blocks.
const blocks: Record<string, number> = { '0121737': 1200, '0161496': 1000, '0207946': 900 };
// Customer pools: numbers held for one customer.
const pools: [customer: string, first: string, count: number][] = [
  ['Acme Plumbing Ltd', '01217371200', 20],
  ['Evergreen Dental Practice', '01614961000', 10],
];

/** Demo catalogue: three service types, two price lists and a few thousand numbers over three prefixes. */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  const typeIds = new Map<string, number>();
  for (const type of serviceTypes) {
    const [{ id }] = await trx('service_types')
      .insert({ name: type.name, description: type.description, created_at: now, updated_at: now })
      .returning('id');
    typeIds.set(type.name, id);
    await trx('service_type_settings').insert(
      type.settings.map(([key, label, kind, default_value, required], position) => ({
        service_type_id: id,
        key,
        label,
        kind,
        default_value,
        required,
        position,
      })),
    );
  }
  for (const list of priceLists) {
    const [{ id }] = await trx('price_lists')
      .insert({ name: list.name, created_at: now, updated_at: now })
      .returning('id');
    const items = [
      ...Object.entries(list.services).map(([type, [monthly, setup]]) => ({
        service_type_id: typeIds.get(type),
        grade: null,
        monthly_cents: monthly,
        setup_cents: setup,
      })),
      ...Object.entries(list.grades).map(([grade, [monthly, setup]]) => ({
        service_type_id: null,
        grade,
        monthly_cents: monthly,
        setup_cents: setup,
      })),
    ];
    await trx('price_list_items').insert(items.map((item) => ({ price_list_id: id, ...item })));
  }

  // Deterministic random keys, so the demo's *random* searches are the same on every machine.
  const random = seededRandom(42);
  const row = (number: string, poolCustomerId: number | null = null) =>
    inventoryRow(number, { poolCustomerId, now, random });
  const numbers = Object.entries(blocks).flatMap(([prefix, count]) =>
    Array.from({ length: count }, (_, i) => row(prefix + String(i).padStart(4, '0'))),
  );
  for (const [customer, first, count] of pools) {
    const { id } = await trx('customers').where({ name: customer }).first('id');
    for (let i = 0; i < count; i++)
      numbers.push(row(String(BigInt(first) + BigInt(i)).padStart(first.length, '0'), id));
  }
  for (let i = 0; i < numbers.length; i += 500) await trx('phone_numbers').insert(numbers.slice(i, i + 500));
}
