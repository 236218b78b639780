import type { Knex } from 'knex';
import { normaliseName } from '../../src/lib/names.ts';
import { insertGenerated } from './batch.ts';
import type { LargeSeedOptions } from './types.ts';

const PLACES = [
  'Aberdeen',
  'Bath',
  'Birmingham',
  'Bristol',
  'Cambridge',
  'Cardiff',
  'Carlisle',
  'Chester',
  'Coventry',
  'Derby',
  'Dundee',
  'Durham',
  'Exeter',
  'Glasgow',
  'Hull',
  'Inverness',
  'Kent',
  'Lancaster',
  'Leeds',
  'Leicester',
  'Lincoln',
  'Liverpool',
  'London',
  'Manchester',
  'Newcastle',
  'Norwich',
  'Nottingham',
  'Oxford',
  'Plymouth',
  'Portsmouth',
  'Reading',
  'Salford',
  'Sheffield',
  'Southampton',
  'Stirling',
  'Sussex',
  'Swansea',
  'Warwick',
  'Winchester',
  'York',
];
const INSTITUTION_KINDS = [
  'University',
  'Hospital',
  'Institute of Technology',
  'Medical School',
  'Research Centre',
  'College',
  'Health Trust',
  'City Council',
  'Observatory',
  'Water Authority',
];
const LEADS = [
  'Adams',
  'Brown',
  'Chen',
  'Diaz',
  'Evans',
  'Fischer',
  'Garcia',
  'Hughes',
  'Ito',
  'Jensen',
  'Khan',
  'Lopez',
  'Murphy',
  'Nguyen',
  'Osei',
  'Patel',
  'Quist',
  'Rossi',
  'Smith',
  'Tanaka',
];
const FIELDS = [
  'Genomics',
  'Imaging',
  'Proteomics',
  'Physics',
  'Chemistry',
  'Cardiology',
  'Neurology',
  'Robotics',
  'Materials',
  'Ecology',
  'Pathology',
  'Radiology',
  'Sequencing',
  'Microscopy',
  'Statistics',
];
const GROUP_KINDS = ['Lab', 'Core Facility', 'Department', 'Unit', 'Group'];

const pick = <T>(list: readonly T[], random: () => number) => list[Math.floor(random() * list.length)];

/**
 * Institutions and groups (every group under an institution, a few under none), about a third of each with
 * an external customer number. Names carry a serial so that, as in real data, most are distinct.
 */
export async function generateInstitutionsAndGroups(
  db: Knex,
  { institutions, groups, random }: { institutions: number; groups: number; random: () => number },
) {
  const now = new Date().toISOString();
  const { maxId: maxInstitution } = (await db('institutions').max({ maxId: 'id' }).first()) as { maxId: number | null };
  const { maxId: maxGroup } = (await db('groups').max({ maxId: 'id' }).first()) as { maxId: number | null };
  const firstInstitution = Number(maxInstitution ?? 0) + 1;
  const firstGroup = Number(maxGroup ?? 0) + 1;

  await insertGenerated(db, 'institutions', institutions, (i) => {
    const name = `${pick(PLACES, random)} ${pick(INSTITUTION_KINDS, random)} ${i + 1}`;
    return { id: firstInstitution + i, name, name_key: normaliseName(name), created_at: now };
  });
  await insertGenerated(db, 'groups', groups, (i) => {
    const name =
      random() < 0.5
        ? `${pick(LEADS, random)} ${pick(GROUP_KINDS, random)} ${i + 1}`
        : `${pick(FIELDS, random)} ${pick(GROUP_KINDS, random)} ${i + 1}`;
    const institutionId = random() < 0.95 ? firstInstitution + Math.floor(random() * institutions) : null;
    return { id: firstGroup + i, name, name_key: normaliseName(name), institution_id: institutionId, created_at: now };
  });

  const numbered = (count: number) => Array.from({ length: count }, (_, i) => i).filter(() => random() < 0.33);
  const institutionNumbers = numbered(institutions);
  const groupNumbers = numbered(groups);
  await insertGenerated(db, 'external_customer_numbers', institutionNumbers.length, (i) => ({
    institution_id: firstInstitution + institutionNumbers[i],
    number: `INST-${String(institutionNumbers[i]).padStart(6, '0')}`,
    created_at: now,
    updated_at: now,
  }));
  await insertGenerated(db, 'external_customer_numbers', groupNumbers.length, (i) => ({
    group_id: firstGroup + groupNumbers[i],
    number: `GRP-${String(groupNumbers[i]).padStart(6, '0')}`,
    created_at: now,
    updated_at: now,
  }));
  return { firstInstitution, firstGroup };
}

/** 10,000 institutions and 50,000 groups (the sizes the type-ahead is measured at); a third of customers join them. */
export async function generate(db: Knex, { random }: LargeSeedOptions): Promise<void> {
  const institutions = 10_000;
  const groups = 50_000;
  const { firstInstitution, firstGroup } = await generateInstitutionsAndGroups(db, { institutions, groups, random });
  await db('customers')
    .whereRaw('id % 3 = 0')
    .update({
      group_id: db.raw(`? + (id * 7919) % ?`, [firstGroup, groups]),
      institution_id: db.raw(`? + (id * 104729) % ?`, [firstInstitution, institutions]),
    });
}
