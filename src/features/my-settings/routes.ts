import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guards.ts';
import { landingTabs } from '../../auth/principal.ts';
import type { Db } from '../../db/index.ts';
import { parseForm } from '../../lib/forms.ts';
import { customerTabs } from '../customer-module/tabs.ts';
import { saveLandingTab } from './my-settings.ts';

const settingsForm = z.object({ landing_tab: z.enum(landingTabs, { error: 'Choose the tab to land on.' }) });
const choices = landingTabs.map((key) => ({ key, label: customerTabs.find((t) => t.key === key)!.label }));

/** *My settings*: what each staff user chooses for themselves, e.g. the tab a customer opens on (D3). */
export default async function mySettingsRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // Staff pages: a signed-in portal contact is refused here, not shown a staff page.
  app.addHook('preHandler', requireStaff());
  app.get('/my-settings', async (request, reply) => {
    return reply.page('my-settings/index', {
      title: 'My settings',
      values: { landing_tab: staffOf(request).landingTab },
      errors: {},
      choices,
    });
  });

  app.post('/my-settings', async (request, reply) => {
    const parsed = parseForm(settingsForm, request.body);
    if (!parsed.ok)
      return reply.code(422).page('my-settings/index', {
        title: 'My settings',
        values: request.body ?? {},
        errors: parsed.errors,
        choices,
      });
    await saveLandingTab(db, staffOf(request), parsed.data.landing_tab);
    request.flash('success', 'Settings saved. Customers now open on this tab.');
    return reply.seeOther('/my-settings');
  });
}
