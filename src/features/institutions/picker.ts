import type { Queryable } from '../../db/index.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { findOrg, findOrgs, type OrgRow } from './queries.ts';
import type { OrgChoice } from './schemas.ts';

/** How many names each list of the picker offers at once: typing narrows it. */
const PICKER_SIZE = 50;

/** What the institution and group fields (A5) offer: names matching what was typed, and the current choices. */
export type OrgPicker = {
  institutions: OrgRow[];
  groups: OrgRow[];
  institutionId: number | null;
  groupId: number | null;
};

const idIn = (value: unknown) => {
  const id = Number(value);
  return Number.isInteger(id) && id > 0 ? id : null;
};
const textIn = (value: unknown) => (typeof value === 'string' ? value.trim().slice(0, 100) : '');

/** Puts the chosen record first when the narrowed list left it out, so a choice never vanishes from its field. */
async function withChosen(db: Queryable, kind: 'institution' | 'group', rows: OrgRow[], id: number | null) {
  if (id === null || rows.some((row) => row.id === id)) return rows;
  const chosen = await findOrg(db, kind, id);
  return chosen ? [chosen, ...rows] : rows;
}

/**
 * The picker for form values (`institution_id`, `group_id`, and the searches `institution_q`, `group_q`):
 * institutions whose name matches, and the chosen institution's groups (every group while none is chosen).
 */
export async function orgPicker(db: Queryable, values: Record<string, unknown>): Promise<OrgPicker> {
  const institutionId = idIn(values.institution_id);
  const groupId = idIn(values.group_id);
  const [institutions, groups] = await Promise.all([
    findOrgs(db, 'institution', { term: textIn(values.institution_q) || undefined, limit: PICKER_SIZE }),
    findOrgs(db, 'group', {
      term: textIn(values.group_q) || undefined,
      institutionId: institutionId ?? undefined,
      limit: PICKER_SIZE,
    }),
  ]);
  const chosenGroup = groupId !== null ? await findOrg(db, 'group', groupId) : undefined;
  const groupFits = chosenGroup && (institutionId === null || chosenGroup.institution_id === institutionId);
  return {
    institutions: await withChosen(db, 'institution', institutions, institutionId),
    groups: groupFits && !groups.some((g) => g.id === groupId) ? [chosenGroup, ...groups] : groups,
    institutionId,
    groupId: groupFits ? groupId : null,
  };
}

/** Checks a choice: both exist, and a group chosen with an institution is one of that institution's groups. */
export async function checkOrgChoice(db: Queryable, choice: OrgChoice): Promise<FieldErrors | null> {
  const institution = choice.institution_id !== null ? await findOrg(db, 'institution', choice.institution_id) : null;
  if (choice.institution_id !== null && !institution) return { institution_id: 'Choose an institution from the list.' };
  if (choice.group_id === null) return null;
  const group = await findOrg(db, 'group', choice.group_id);
  if (!group) return { group_id: 'Choose a group from the list.' };
  if (institution && group.institution_id !== institution.id)
    return {
      group_id: `${group.name} is not a group of ${institution.name}. Choose one of its groups, or no institution.`,
    };
  return null;
}
