import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireStaff, staffOf } from '../../../auth/guards.ts';
import type { CustomerRow } from '../../../auth/scope.ts';
import type { Db } from '../../../db/index.ts';
import { parseForm, submittedValues } from '../../../lib/forms.ts';
import { beforeQuery } from '../../../lib/keyset.ts';
import { StaleEditError } from '../../audit/audit.ts';
import { customerFromRequest, emptyForm, renderCustomerTab, rowIdFrom, type TabForm } from '../frame.ts';
import { ownedRow } from '../queries.ts';
import { assignableUsers, ticketComments, ticketOpener, ticketsPage } from './queries.ts';
import { ticketAssignForm, ticketCommentForm, ticketFilter, ticketForm } from './schemas.ts';
import { assignTicket, commentOnTicket, openTicket, setTicketStatus } from './tickets.ts';

type Ticket = Record<string, unknown> & {
  id: number;
  version: number;
  assignee_user_id: number | null;
  opened_by_user_id: number | null;
};

/** *Task Tickets*: open, assign, comment, close and reopen. */
export default async function ticketRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.addHook('preHandler', requireStaff('admin', 'support', 'reseller'));
  const customerIn = (request: FastifyRequest) => customerFromRequest(db, request);
  const ticketIdOf = (request: FastifyRequest) => rowIdFrom(request, 'This record');

  async function tickets(request: FastifyRequest, reply: FastifyReply, customer: CustomerRow, form = emptyForm()) {
    const { status } = ticketFilter.parse(request.query);
    const { before } = beforeQuery.parse(request.query);
    const [page, staff] = await Promise.all([
      ticketsPage(db, customer.id, status, before),
      assignableUsers(db, staffOf(request), customer),
    ]);
    return renderCustomerTab(db, reply, customer, 'tickets', 'customer-module/tickets/index', {
      tickets: page,
      status,
      staff,
      form,
    });
  }

  app.get('/customers/:id/tickets', async (request, reply) => tickets(request, reply, await customerIn(request)));

  app.post('/customers/:id/tickets', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(ticketForm, submittedValues(request.body));
    const result = parsed.ok
      ? await openTicket(db, staffOf(request), customer, parsed.data)
      : { errors: parsed.errors };
    if ('errors' in result)
      return tickets(request, reply.code(422), customer, {
        values: submittedValues(request.body),
        errors: result.errors!,
      });
    request.flash('success', 'Ticket opened.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${result.id}`);
  });

  async function ticket(
    request: FastifyRequest,
    reply: FastifyReply,
    customer: CustomerRow,
    forms: { comment?: TabForm; assign?: TabForm } = {},
  ) {
    const row = await ownedRow<Ticket>(db, 'tickets', customer.id, ticketIdOf(request), 'This ticket');
    const [comments, staff, openedBy] = await Promise.all([
      ticketComments(db, row.id),
      assignableUsers(db, staffOf(request), customer),
      ticketOpener(db, row.opened_by_user_id ?? null),
    ]);
    return renderCustomerTab(db, reply, customer, 'tickets', 'customer-module/tickets/ticket', {
      ticket: row,
      openedBy,
      comments,
      staff,
      commentForm: forms.comment ?? emptyForm(),
      assignForm: forms.assign ?? emptyForm({ assignee_user_id: row.assignee_user_id ?? '', version: row.version }),
    });
  }

  app.get('/customers/:id/tickets/:rowId', async (request, reply) => ticket(request, reply, await customerIn(request)));

  app.post('/customers/:id/tickets/:rowId/comments', async (request, reply) => {
    const customer = await customerIn(request);
    const parsed = parseForm(ticketCommentForm, submittedValues(request.body));
    if (!parsed.ok)
      return ticket(request, reply.code(422), customer, {
        comment: { values: submittedValues(request.body), errors: parsed.errors },
      });
    await commentOnTicket(db, staffOf(request), customer.id, ticketIdOf(request), parsed.data.body);
    request.flash('success', 'Comment added.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${ticketIdOf(request)}`);
  });

  app.post('/customers/:id/tickets/:rowId/assign', async (request, reply) => {
    const customer = await customerIn(request);
    const body = submittedValues(request.body);
    const parsed = parseForm(ticketAssignForm, body);
    try {
      const errors = parsed.ok
        ? await assignTicket(db, staffOf(request), customer, ticketIdOf(request), parsed.data)
        : parsed.errors;
      if (errors) return ticket(request, reply.code(422), customer, { assign: { values: body, errors } });
    } catch (error) {
      if (!(error instanceof StaleEditError)) throw error;
      return ticket(request, reply.code(409), customer, {
        assign: { values: { ...body, version: error.current.version }, errors: {}, message: error.message },
      });
    }
    request.flash('success', 'Ticket assigned.');
    return reply.seeOther(`/customers/${customer.id}/tickets/${ticketIdOf(request)}`);
  });

  for (const [action, status, message] of [
    ['close', 'closed', 'Ticket closed.'],
    ['reopen', 'open', 'Ticket reopened.'],
  ] as const) {
    app.post(`/customers/:id/tickets/:rowId/${action}`, async (request, reply) => {
      const customer = await customerIn(request);
      await setTicketStatus(db, staffOf(request), customer.id, ticketIdOf(request), status);
      request.flash('success', message);
      return reply.seeOther(`/customers/${customer.id}/tickets/${ticketIdOf(request)}`);
    });
  }
}
