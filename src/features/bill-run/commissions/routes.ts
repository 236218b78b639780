import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requireStaff } from '../../../auth/guards.ts';
import type { Db } from '../../../db/index.ts';
import { type FieldErrors, parseForm, submittedValues } from '../../../lib/forms.ts';
import { centsToDecimal } from '../../../lib/money.ts';
import { addPlan, payeeKindLabels } from './plans.ts';
import { commissionPlans, commissionsOfPeriod } from './queries.ts';
import { planForm, reportQuery } from './schemas.ts';

/** *Commissions* (D6): plans, and the report per period and payee with its CSV (admin). */
export default async function commissionRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin'));

  const page = async (
    reply: FastifyReply,
    period: string,
    values: Record<string, string> = {},
    errors: FieldErrors = {},
  ) =>
    reply.page('bill-run/commissions', {
      title: 'Commissions',
      section: 'commissions',
      period,
      plans: await commissionPlans(db),
      report: await commissionsOfPeriod(db, period),
      payeeKinds: Object.entries(payeeKindLabels).map(([value, label]) => ({ value, label })),
      payeeKindLabels,
      values: { recurring: '0', usage: '0', setup: '0', ...values },
      errors,
    });

  app.get('/commissions', async (request, reply) => page(reply, reportQuery.parse(request.query).period));

  app.post('/commissions/plans', async (request, reply) => {
    const body = submittedValues(request.body);
    const form = parseForm(planForm, body);
    const outcome = form.ok ? await addPlan(db, form.data) : form;
    if (!outcome.ok) return page(reply.code(422), reportQuery.parse({}).period, body, outcome.errors);
    request.flash('success', `Plan ${body.name} added; it accrues on invoices committed from now on.`);
    return reply.seeOther('/commissions');
  });

  app.get('/commissions/report.csv', async (request, reply) => {
    const { period } = reportQuery.parse(request.query);
    const rows = await commissionsOfPeriod(db, period);
    // A payee name is typed by staff: a leading = + - @ would be a formula in a spreadsheet.
    const safe = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);
    const csv = stringify([
      ['period', 'payee_kind', 'payee', 'invoices', 'billed', 'commission'],
      ...rows.map((r) => [
        period,
        r.payee_kind,
        safe(r.payee),
        r.invoices,
        centsToDecimal(r.base_cents),
        centsToDecimal(r.amount_cents),
      ]),
    ]);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="commissions-${period}.csv"`)
      .send(csv);
  });
}
