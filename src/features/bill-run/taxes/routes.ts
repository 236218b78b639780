import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import { actorOf } from '../../../auth/principal.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { inlineEditRoutes } from '../../../plugins/inline-edit.ts';
import { chargeKindLabels, chargeKinds } from '../charges.ts';
import { type ExemptionRow, findExemption, findTaxRate, type TaxRateRow, taxExemptions, taxRates } from './queries.ts';
import { exemptionEditForm, exemptionForm, taxRateEditForm, taxRateForm } from './schemas.ts';
import { formatRate } from './tax.ts';
import { addExemption, addTaxRate, deleteExemption, deleteTaxRate, updateExemption, updateTaxRate } from './taxes.ts';

type Forms = { rate?: Record<string, string>; exemption?: Record<string, string>; errors?: FieldErrors };

const rowData = {
  kinds: chargeKinds.map((value) => ({ value, label: chargeKindLabels[value] })),
  kindLabels: chargeKindLabels,
  formatRate,
};

/** The tables' headings, shared by the page and the editing row's page of its own. */
const rateColumns = ['Name', 'Country', 'State / county', 'City', 'Charge kind', 'Rate'];
const exemptionColumns = ['Customer', 'Certificate', 'Expires'];

const rateValues = (r: TaxRateRow) => ({
  name: r.name,
  country: r.country,
  region: r.region ?? '',
  city: r.city ?? '',
  charge_kind: r.charge_kind,
  rate: formatRate(r.rate_millipercent).replace(/%$/, ''),
  version: String(r.version),
});

const exemptionValues = (e: ExemptionRow) => ({
  certificate_ref: e.certificate_ref,
  expires_on: e.expires_on,
  version: String(e.version),
});

/** The delete dialog's words (and the confirmation page's without JavaScript). */
const rateConfirm = (rate: TaxRateRow) => ({
  question: `Delete the tax rate ${rate.name}?`,
  detail: 'The next bill run no longer charges it; invoices already made keep their tax lines.',
  yes: 'Delete rate',
  no: 'Keep rate',
});

const exemptionConfirm = (exemption: ExemptionRow) => ({
  question: `Delete exemption ${exemption.certificate_ref} of ${exemption.customer_name}?`,
  detail: 'The next bill run taxes the customer; invoices already made keep their taxes.',
  yes: 'Delete exemption',
  no: 'Keep exemption',
});

/** *Taxes* (D6): rates per jurisdiction and charge kind, and exemptions per customer (admin). */
export default async function taxRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  const page = async (reply: FastifyReply, forms: Forms = {}) =>
    reply.page('bill-run/taxes', {
      title: 'Taxes',
      section: 'taxes',
      rates: await taxRates(db),
      exemptions: await taxExemptions(db),
      ...rowData,
      rateColumns,
      exemptionColumns,
      rateConfirm,
      exemptionConfirm,
      rate: forms.rate ?? {},
      exemption: forms.exemption ?? {},
      errors: forms.errors ?? {},
    });

  app.get('/taxes', async (_request, reply) => page(reply));

  app.post('/taxes/rates', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(taxRateForm, body);
    if (!form.ok) return page(reply.code(422), { rate: body, errors: form.errors });
    await addTaxRate(db, form.data, actorOf(staffOf(request)));
    request.flash('success', `${form.data.name} added.`);
    return reply.seeOther('/taxes');
  });

  app.post('/taxes/exemptions', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(exemptionForm, body);
    const outcome = form.ok ? await addExemption(db, form.data, actorOf(staffOf(request))) : form;
    if (!outcome.ok) return page(reply.code(422), { exemption: body, errors: outcome.errors });
    request.flash('success', `Exemption ${body.certificate_ref} recorded.`);
    return reply.seeOther('/taxes#exemptions-heading');
  });

  // Editing a rate changes the next bill run's taxes; invoices already made keep their tax lines.
  inlineEditRoutes<TaxRateRow>(app, {
    path: '/taxes/rates/:taxRateId',
    what: 'This tax rate',
    find: (id) => findTaxRate(db, id),
    listUrl: () => '/taxes',
    templates: { row: 'bill-run/_tax_rate_row', editRow: 'bill-run/_tax_rate_edit_row', editPage: 'bill-run/edit-row' },
    editTitle: 'Edit tax rate',
    data: { ...rowData, section: 'taxes', columns: rateColumns },
    values: rateValues,
    async save(request, rate, body) {
      const form = parseForm(taxRateEditForm, body);
      if (!form.ok) return { ok: false, status: 422, errors: form.errors, values: body };
      const saved = await updateTaxRate(db, rate.id, form.data, actorOf(staffOf(request)));
      if (saved.ok) return { ok: true, notice: `${form.data.name} saved.` };
      const current = saved.stale as TaxRateRow;
      return { ok: false, status: 409, errors: { name: saved.message }, values: rateValues(current), row: current };
    },
    confirm: rateConfirm,
    async remove(request, rate) {
      await deleteTaxRate(db, rate.id, actorOf(staffOf(request)));
      return { notice: `${rate.name} deleted.` };
    },
  });

  inlineEditRoutes<ExemptionRow>(app, {
    path: '/taxes/exemptions/:exemptionId',
    what: 'This exemption',
    find: (id) => findExemption(db, id),
    listUrl: () => '/taxes#exemptions-heading',
    templates: {
      row: 'bill-run/_exemption_row',
      editRow: 'bill-run/_exemption_edit_row',
      editPage: 'bill-run/edit-row',
    },
    editTitle: 'Edit exemption',
    data: { ...rowData, section: 'taxes', columns: exemptionColumns },
    values: exemptionValues,
    async save(request, exemption, body) {
      const form = parseForm(exemptionEditForm, body);
      if (!form.ok) return { ok: false, status: 422, errors: form.errors, values: body };
      const saved = await updateExemption(db, exemption, form.data, actorOf(staffOf(request)));
      if (saved.ok) return { ok: true, notice: `Exemption ${form.data.certificate_ref} saved.` };
      const current = { ...exemption, ...(saved.stale as Partial<ExemptionRow>) };
      return {
        ok: false,
        status: 409,
        errors: { certificate_ref: saved.message },
        values: exemptionValues(current),
        row: current,
      };
    },
    confirm: exemptionConfirm,
    async remove(request, exemption) {
      await deleteExemption(db, exemption, actorOf(staffOf(request)));
      return { notice: `Exemption ${exemption.certificate_ref} of ${exemption.customer_name} deleted.` };
    },
  });
}
