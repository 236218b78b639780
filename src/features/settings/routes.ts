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
const settingsSchema = z.object({ external_billing_enabled: onOff });

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
        settings: await loadSettings(db),
        definitions: settingDefinitions,
        errors: form.errors,
      });
    }
    await saveSettings(db, actorOf(staffOf(request)), form.data);
    request.flash('success', 'Settings saved.');
    return reply.seeOther('/settings');
  });
}
