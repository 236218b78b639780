import type { Actor } from '../../auth/principal.ts';
import type { Queryable } from '../../db/index.ts';
import type { AppSettings } from '../../plugins/navigation.ts';
import { recordChanges } from '../audit/audit.ts';

/** The settings an admin can switch, with their defaults. */
export const settingDefinitions = {
  external_billing_enabled: {
    label: 'External billing integration',
    hint: 'Shows External Customer Numbers and the external billing file to admins and support.',
    kind: 'on-off',
    default: 'false',
  },
  number_quarantine_days: {
    label: 'Number quarantine (days)',
    hint: 'A number removed from a service, or of an ended service, goes back to the inventory after this many days (0 to 365).',
    kind: 'days',
    default: '90',
  },
} as const;

export type SettingKey = keyof typeof settingDefinitions;

// Settings are read on every page (the navigation depends on them) and change rarely: a short cache keeps
// them off the hot path while other app processes still see a change within seconds.
const CACHE_MS = 5000;
let cache: { at: number; values: AppSettings; db: Queryable } | null = null;

export async function loadSettings(db: Queryable): Promise<AppSettings> {
  if (cache && cache.db === db && Date.now() - cache.at < CACHE_MS) return cache.values;
  cache = { at: Date.now(), values: await loadSettingsUncached(db), db };
  return cache.values;
}

async function loadSettingsUncached(db: Queryable): Promise<AppSettings> {
  const rows: { key: string; value: string }[] = await db('settings').select('key', 'value');
  const values: Record<string, string> = Object.fromEntries(
    Object.entries(settingDefinitions).map(([key, def]) => [key, def.default]),
  );
  for (const row of rows) values[row.key] = row.value;
  return Object.freeze(values);
}

/** Saves changed settings and audits each change (entity "settings", field = the key). */
export async function saveSettings(
  db: Queryable,
  actor: Actor,
  values: Partial<Record<SettingKey, string>>,
): Promise<void> {
  const before = await loadSettingsUncached(db);
  await db.transaction(async (trx) => {
    for (const [key, value] of Object.entries(values)) {
      await trx('settings').insert({ key, value }).onConflict('key').merge();
    }
    await recordChanges(trx, { table: 'settings', id: 0, actor }, before, values);
  });
  cache = null;
}

export const isEnabled = (settings: AppSettings, key: SettingKey) => settings[key] === 'true';

/** How long a number let go from a service waits before it is free again (C8), in days. */
export async function quarantineDays(db: Queryable): Promise<number> {
  return Number((await loadSettings(db)).number_quarantine_days ?? settingDefinitions.number_quarantine_days.default);
}
