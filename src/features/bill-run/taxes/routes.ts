import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { chargeKindLabels, chargeKinds } from '../charges.ts';
import { taxExemptions, taxRates } from './queries.ts';
import { exemptionForm, taxRateForm } from './schemas.ts';
import { formatRate } from './tax.ts';
import { addExemption, addTaxRate } from './taxes.ts';

type Forms = { rate?: Record<string, string>; exemption?: Record<string, string>; errors?: FieldErrors };

/** *Taxes* (D6): rates per jurisdiction and charge kind, and exemptions per customer (admin). */
export default async function taxRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  const page = async (reply: FastifyReply, forms: Forms = {}) =>
    reply.page('bill-run/taxes', {
      title: 'Taxes',
      section: 'taxes',
      rates: await taxRates(db),
      exemptions: await taxExemptions(db),
      kinds: chargeKinds.map((value) => ({ value, label: chargeKindLabels[value] })),
      kindLabels: chargeKindLabels,
      formatRate,
      rate: forms.rate ?? {},
      exemption: forms.exemption ?? {},
      errors: forms.errors ?? {},
    });

  app.get('/taxes', async (_request, reply) => page(reply));

  app.post('/taxes/rates', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(taxRateForm, body);
    if (!form.ok) return page(reply.code(422), { rate: body, errors: form.errors });
    await addTaxRate(db, form.data);
    request.flash('success', `${form.data.name} added.`);
    return reply.seeOther('/taxes');
  });

  app.post('/taxes/exemptions', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(exemptionForm, body);
    const outcome = form.ok ? await addExemption(db, form.data, staffOf(request).id) : form;
    if (!outcome.ok) return page(reply.code(422), { exemption: body, errors: outcome.errors });
    request.flash('success', `Exemption ${body.certificate_ref} recorded.`);
    return reply.seeOther('/taxes#exemptions-heading');
  });
}
