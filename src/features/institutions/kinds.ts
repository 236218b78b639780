/**
 * Institutions and groups are handled by the same code: a group is an institution-like record that may
 * belong to an institution. These descriptors carry what differs between the two.
 */
export const orgKinds = ['institution', 'group'] as const;
export type OrgKind = (typeof orgKinds)[number];

export type OrgKindInfo = {
  kind: OrgKind;
  table: 'institutions' | 'groups';
  /** The column naming this kind on customers and on external_customer_numbers. */
  column: 'institution_id' | 'group_id';
  /** For use inside a sentence ("institution") and at its start or in headings ("Institution"). */
  label: string;
  plural: string;
  title: string;
  titlePlural: string;
  /** The admin pages' base path. */
  path: string;
};

export const kindInfo: Record<OrgKind, OrgKindInfo> = {
  institution: {
    kind: 'institution',
    table: 'institutions',
    column: 'institution_id',
    label: 'institution',
    plural: 'institutions',
    title: 'Institution',
    titlePlural: 'Institutions',
    path: '/institutions',
  },
  group: {
    kind: 'group',
    table: 'groups',
    column: 'group_id',
    label: 'group',
    plural: 'groups',
    title: 'Group',
    titlePlural: 'Groups',
    path: '/groups',
  },
};
