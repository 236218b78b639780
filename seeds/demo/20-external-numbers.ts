import type { Tx } from '../../src/db/index.ts';
import { nowIso } from '../../src/lib/dates.ts';
import { normaliseName } from '../../src/lib/names.ts';

// Institution -> its groups. "St. Mary's Hospital" and "St Marys Hospital" are the near-duplicate pair the
// External Customer Numbers page warns about.
const institutions: Record<string, string[]> = {
  'Birmingham University': ['Chemistry Core Facility', 'Genomics Lab'],
  'Manchester Health Trust': ['Radiology Department'],
  'City of London Council': [],
  'Leeds Institute of Technology': ['Materials Lab', 'Robotics Group', 'Smith Lab'],
  'Oxford Biomedical Centre': ['Imaging Suite', 'Proteomics Core'],
  'Cambridge Research Park': ['Sequencing Unit'],
  "St. Mary's Hospital": ['Pathology Lab'],
  'St Marys Hospital': [],
  'Bristol Water Authority': [],
  'Northern Energy Cooperative': ['Grid Analytics'],
  'Glasgow School of Art': [],
  'Edinburgh Medical School': ['Neurology Lab', 'Anatomy Teaching Unit'],
  'Cardiff Maritime College': [],
  'Nottingham Agritech': ['Soil Science Lab'],
  'Sheffield Steel Institute': ['Metallurgy Lab'],
  'Liverpool School of Tropical Health': ['Vector Biology Lab'],
  'York Heritage Trust': [],
  'Brighton Marine Station': [],
  'Exeter Climate Centre': ['Atmospheric Chemistry'],
  'Durham Observatory': [],
  'Aberdeen Offshore Institute': [],
  'Belfast Civic Trust': [],
  'Southampton Ocean Lab': ['Deep Sea Sensors'],
  'Reading Food Research': [],
  'Kent Veterinary College': ['Equine Clinic'],
};
const independentGroups = ['Freelance Translators Guild', 'Hackney Makerspace', 'Riverside Allotment Society'];

const numbers: Record<string, string> = {
  'institution:Birmingham University': 'BU-100234',
  'institution:Manchester Health Trust': 'MHT 5521',
  'institution:Leeds Institute of Technology': 'LIT/2026/0042',
  'institution:Oxford Biomedical Centre': 'OBC-7710',
  "institution:St. Mary's Hospital": 'SMH-3001',
  'institution:Edinburgh Medical School': 'EMS-88',
  'institution:Northern Energy Cooperative': 'NEC#4410',
  'group:Smith Lab': 'SL-7781',
  'group:Genomics Lab': 'GEN-0099',
  'group:Imaging Suite': 'OBC-7710-IMG',
  'group:Hackney Makerspace': 'HMS-12',
};

// Customer -> [institution, group]: a group number, an institution number, one through the group's
// institution, and one on the duplicate without a number (the "I added it but cannot see it" case).
const memberships: Record<string, [string | null, string | null]> = {
  'Acme Plumbing Ltd': ['Birmingham University', 'Smith Lab'],
  'Baker & Sons Bakery': ['Birmingham University', null],
  'Carla Jensen': [null, 'Physics Department'],
  'Evergreen Dental Practice': ['Manchester Health Trust', 'Cardiology Unit'],
  'Frank Osei': ['St Marys Hospital', null],
};

/** Demo data for External Customer Numbers: the integration switched on, a few dozen institutions and groups. */
export async function seed(trx: Tx): Promise<void> {
  const now = nowIso();
  await trx('settings').insert({ key: 'external_billing_enabled', value: 'true' }).onConflict('key').merge();

  const institutionIds = new Map<string, number>(
    (await trx('institutions').select('id', 'name')).map((row: { id: number; name: string }) => [row.name, row.id]),
  );
  for (const name of Object.keys(institutions)) {
    if (institutionIds.has(name)) continue;
    const [row] = await trx('institutions')
      .insert({ name, name_key: normaliseName(name), created_at: now })
      .returning('id');
    institutionIds.set(name, row.id);
  }
  const groups: [string, number | null][] = [
    ...Object.entries(institutions).flatMap(([institution, names]) =>
      names.map((name): [string, number | null] => [name, institutionIds.get(institution)!]),
    ),
    ...independentGroups.map((name): [string, null] => [name, null]),
  ];
  for (const [name, institutionId] of groups) {
    await trx('groups').insert({ name, name_key: normaliseName(name), institution_id: institutionId, created_at: now });
  }
  // Names are unique among the demo groups except where a group of the same name sits elsewhere; take the first.
  const groupIds = new Map<string, number>();
  for (const row of (await trx('groups').orderBy('id').select('id', 'name')) as { id: number; name: string }[]) {
    if (!groupIds.has(row.name)) groupIds.set(row.name, row.id);
  }

  for (const [key, number] of Object.entries(numbers)) {
    const [kind, name] = key.split(':');
    const owner =
      kind === 'institution' ? { institution_id: institutionIds.get(name) } : { group_id: groupIds.get(name) };
    await trx('external_customer_numbers').insert({ ...owner, number, created_at: now, updated_at: now });
  }

  for (const [customer, [institution, group]] of Object.entries(memberships)) {
    await trx('customers')
      .where({ name: customer })
      .update({
        institution_id: institution ? institutionIds.get(institution) : null,
        group_id: group ? groupIds.get(group) : null,
      });
  }
}
