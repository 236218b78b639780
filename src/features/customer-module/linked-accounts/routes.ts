import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { asksForConfirmation, parseForm, submittedValues } from '../../../lib/forms.ts';
import { notFound } from '../../../lib/http-error.ts';
import { customerConfirmation } from '../confirmation.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { linkChildAccount, unlinkChildAccount } from './linked-accounts.ts';
import { childAccounts } from './queries.ts';
import { linkAccountForm } from './schemas.ts';

/** *Linked Accounts*: only on corporate accounts; link a child account by its number, unlink one. */
export default async function linkedAccountRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));

  async function corporateIn(request: FastifyRequest) {
    const customer = await customerFromRequest(db, request);
    if (!customer.is_corporate) throw notFound('Linked Accounts of this customer (it is not a corporate account)');
    return customer;
  }

  async function linkedAccounts(reply: FastifyReply, customer: CustomerRow, form: TabForm = emptyForm()) {
    return renderCustomerTab(db, reply, customer, 'linked-accounts', 'customer-module/linked-accounts/index', {
      children: await childAccounts(db, customer.id),
      form,
    });
  }

  app.get('/customers/:id/linked-accounts', async (request, reply) =>
    linkedAccounts(reply, await corporateIn(request)),
  );

  app.post('/customers/:id/linked-accounts', async (request, reply) => {
    const customer = await corporateIn(request);
    const parsed = parseForm(linkAccountForm, submittedValues(request.body));
    const errors = parsed.ok
      ? await linkChildAccount(db, staffOf(request), customer, parsed.data.account_number)
      : parsed.errors;
    if (errors) return linkedAccounts(reply.code(422), customer, { values: submittedValues(request.body), errors });
    request.flash('success', 'Account linked.');
    return reply.seeOther(`/customers/${customer.id}/linked-accounts`);
  });

  app.post('/customers/:id/linked-accounts/:rowId/unlink', async (request, reply) => {
    const customer = await corporateIn(request);
    if (asksForConfirmation(request.body))
      return reply.confirmation(
        customerConfirmation(customer.id, 'linked-accounts', rowIdFrom(request, 'This record'), {
          verb: 'Unlink',
          noun: 'linked account',
          action: 'unlink',
        }),
      );
    await unlinkChildAccount(db, staffOf(request), customer, rowIdFrom(request, 'This record'));
    request.flash('success', 'Account unlinked.');
    return reply.seeOther(`/customers/${customer.id}/linked-accounts`);
  });
}
