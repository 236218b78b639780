import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { actorOf } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { parseForm } from '../../lib/forms.ts';
import { loadSettings, saveSettings, settingDefinitions } from './settings.ts';

const onOff = z
  .enum(['on'])
  .optional()
  .transform((v) => (v === 'on' ? 'true' : 'false'));
const settingsSchema = z.object({
  external_billing_enabled: onOff,
  number_quarantine_days: z.coerce
    .number({ error: 'Enter a whole number of days from 0 to 365.' })
    .int('Enter a whole number of days from 0 to 365.')
    .min(0, 'Enter a whole number of days from 0 to 365.')
    .max(365, 'Enter a whole number of days from 0 to 365.')
    .transform(String)
    .optional(),
});

export default async function settingsRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  app.get('/settings', async (_request, reply) => {
    return reply.page('settings/index', {
      title: 'Settings',
      settings: await loadSettings(db),
      definitions: settingDefinitions,
    });
  });

  app.post('/settings', async (request, reply) => {
    const form = parseForm(settingsSchema, request.body);
    if (!form.ok) {
      return reply.code(422).page('settings/index', {
        title: 'Settings',
        settings: { ...(await loadSettings(db)), ...(request.body as Record<string, string>) },
        definitions: settingDefinitions,
        errors: form.errors,
      });
    }
    // A setting the form did not send (an older page) stays as it is.
    const sent = Object.fromEntries(Object.entries(form.data).filter(([, v]) => v !== undefined));
    await saveSettings(db, actorOf(staffOf(request)), sent);
    request.flash('success', 'Settings saved.');
    return reply.seeOther('/settings');
  });
}
