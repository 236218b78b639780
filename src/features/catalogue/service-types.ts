import { z } from 'zod';
import type { Actor } from '../../auth/principal.ts';
import { isUniqueViolationOf } from '../../db/dialect.ts';
import type { Queryable } from '../../db/index.ts';
import { nowIso } from '../../lib/dates.ts';
import type { FieldErrors } from '../../lib/forms.ts';
import { auditCreated, updateAudited } from '../audit/audit.ts';

/** What kind of value a setting holds; each kind has its own check and input. */
export const settingKinds = ['text', 'phone', 'email', 'on-off', 'seconds'] as const;
export type SettingKind = (typeof settingKinds)[number];
export const settingKindLabels: Record<SettingKind, string> = {
  text: 'Text',
  phone: 'Phone number',
  email: 'E-mail address',
  'on-off': 'On or off',
  seconds: 'Seconds (5–120)',
};

export type SettingDefinition = {
  id: number;
  key: string;
  label: string;
  kind: SettingKind;
  default_value: string;
  required: number | boolean;
  version: number;
};

export type ServiceType = {
  id: number;
  name: string;
  description: string;
  /** A service of this type cannot exist without at least one number (C4, C8). */
  needs_numbers: boolean;
  version: number;
  settings: SettingDefinition[];
};

/** Setting values as the forms send them: text, 'on'/'off', whole seconds as text. */
export type SettingValues = Record<string, string>;

const valueSchemas: Record<SettingKind, z.ZodType<string>> = {
  text: z.string().trim().max(60, 'Use at most 60 characters.'),
  phone: z
    .string()
    .trim()
    .transform((v) => v.replace(/[\s()-]/g, ''))
    .refine((v) => v === '' || /^\+?\d{6,15}$/.test(v), 'Enter a phone number of 6 to 15 digits.'),
  email: z
    .string()
    .trim()
    .refine((v) => v === '' || z.email().safeParse(v).success, 'Enter a valid e-mail address, like name@example.com.'),
  'on-off': z.enum(['on', 'off'], { error: 'Choose on or off.' }),
  seconds: z
    .string()
    .trim()
    .refine(
      (v) => /^\d{1,3}$/.test(v) && Number(v) >= 5 && Number(v) <= 120,
      'Enter a whole number of seconds from 5 to 120.',
    ),
};

/** The defaults of a service type's settings: what a newly chosen number starts with. */
export function defaultSettings(definitions: SettingDefinition[]): SettingValues {
  return Object.fromEntries(definitions.map((d) => [d.key, d.default_value]));
}

/**
 * Checks settings against their definitions: each value by its kind, required ones not empty.
 * Unticked on-off boxes arrive as nothing and mean "off". Returns clean values or errors by key.
 */
export function validateSettings(
  definitions: SettingDefinition[],
  input: Record<string, unknown>,
): { ok: true; values: SettingValues } | { ok: false; values: SettingValues; errors: FieldErrors } {
  const values: SettingValues = {};
  const errors: FieldErrors = {};
  for (const d of definitions) {
    const raw = input[d.key];
    const typed = typeof raw === 'string' ? raw : d.kind === 'on-off' ? 'off' : '';
    const result = valueSchemas[d.kind].safeParse(typed);
    values[d.key] = result.success ? result.data : typed;
    if (!result.success) errors[d.key] = result.error.issues[0].message;
    else if (d.required && result.data === '') errors[d.key] = `Enter the ${d.label.toLowerCase()}.`;
  }
  return Object.keys(errors).length ? { ok: false, values, errors } : { ok: true, values };
}

const typeColumns = ['id', 'name', 'description', 'needs_numbers', 'version'];

export async function listServiceTypes(db: Queryable): Promise<ServiceType[]> {
  const [types, settings] = await Promise.all([
    db('service_types').orderBy('name').select(typeColumns),
    db('service_type_settings').orderBy(['service_type_id', 'position', 'id']).select('*'),
  ]);
  return types.map((t: Omit<ServiceType, 'settings'>) => ({
    ...t,
    needs_numbers: Boolean(t.needs_numbers),
    settings: settings.filter((s: { service_type_id: number }) => s.service_type_id === t.id),
  }));
}

export async function findServiceType(db: Queryable, id: number): Promise<ServiceType | undefined> {
  const type = await db('service_types').where({ id }).first(typeColumns);
  if (!type) return undefined;
  return {
    ...type,
    needs_numbers: Boolean(type.needs_numbers),
    settings: await db('service_type_settings').where({ service_type_id: id }).orderBy(['position', 'id']).select('*'),
  };
}

export const serviceTypeForm = z.object({
  name: z.string({ error: 'Enter a name.' }).trim().min(1, 'Enter a name.').max(100, 'Use at most 100 characters.'),
  description: z
    .string({ error: 'Describe the service.' })
    .trim()
    .min(1, 'Describe the service: it is shown by See Product Details.')
    .max(4000, 'Use at most 4000 characters.'),
  // Radio buttons, so the choice is always sent; a form without it (an older page) keeps the default.
  needs_numbers: z
    .enum(['yes', 'no'])
    .catch('yes')
    .transform((v) => v === 'yes'),
});

export const newSettingForm = z.object({
  new_label: z.string().trim().max(100, 'Use at most 100 characters.').default(''),
  new_kind: z.enum(settingKinds).catch('text'),
  new_default: z.string().trim().max(200).default(''),
  new_required: z.literal('on').optional(),
});

const NAME_TAKEN = 'Another service type has this name.';

/** Adds a service type (no settings yet); returns its id or field errors. */
export async function createServiceType(
  db: Queryable,
  input: z.infer<typeof serviceTypeForm>,
  actor: Actor,
): Promise<{ ok: true; id: number } | { ok: false; errors: FieldErrors }> {
  const now = nowIso();
  try {
    const id = await db.transaction(async (trx) => {
      const row = { ...input, created_at: now, updated_at: now };
      const [{ id }] = await trx('service_types').insert(row).returning('id');
      await auditCreated(trx, { table: 'service_types', id, actor }, row);
      return id as number;
    });
    return { ok: true, id };
  } catch (error) {
    if (isUniqueViolationOf(error, 'service_types', ['name'])) return { ok: false, errors: { name: NAME_TAKEN } };
    throw error;
  }
}

/**
 * *Save* on a service type: its name and description (refused when stale), each setting's label,
 * default and whether it is required, and optionally one new setting; all audited, in one transaction.
 */
export async function updateServiceType(
  db: Queryable,
  type: ServiceType,
  input: {
    name: string;
    description: string;
    needs_numbers: boolean;
    version: number;
    settings: Record<number, { label: string; default_value: string; required: boolean }>;
    added?: { label: string; kind: SettingKind; default_value: string; required: boolean };
  },
  actor: Actor,
): Promise<FieldErrors | null> {
  try {
    await db.transaction(async (trx) => {
      const headChanges = await updateAudited(
        trx,
        { table: 'service_types', id: type.id, actor, expectedVersion: input.version },
        { name: input.name, description: input.description, needs_numbers: input.needs_numbers },
      );
      let settingsChanged = Boolean(input.added);
      for (const setting of type.settings) {
        const change = input.settings[setting.id];
        if (
          change &&
          (await updateAudited(trx, { table: 'service_type_settings', id: setting.id, actor }, change)).length
        )
          settingsChanged = true;
      }
      // The type's version covers its settings too, so a second admin's stale form is refused either way.
      if (settingsChanged && headChanges.length === 0)
        await trx('service_types').where({ id: type.id }).increment('version', 1);
      if (input.added) {
        const key = settingKey(
          input.added.label,
          type.settings.map((s) => s.key),
        );
        const row = { service_type_id: type.id, key, ...input.added, position: type.settings.length + 1 };
        const [{ id }] = await trx('service_type_settings').insert(row).returning('id');
        await auditCreated(trx, { table: 'service_type_settings', id, actor }, row);
      }
    });
    return null;
  } catch (error) {
    if (isUniqueViolationOf(error, 'service_types', ['name'])) return { name: NAME_TAKEN };
    throw error;
  }
}

/** A setting's key from its label (caller_display_name), unique within the type. */
function settingKey(label: string, taken: string[]): string {
  const base =
    label
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 50) || 'setting';
  let key = base;
  for (let i = 2; taken.includes(key); i++) key = `${base}_${i}`;
  return key;
}
