// node --import tsx bench/bare-server.ts <database file> <port>
// What the stack alone can do, for bench/run.ts to compare the app with: Fastify, Eta and better-sqlite3 over
// the same benchmark database, read-only, with no sessions, guards, Knex, access trail or @fastify/view.
// `/hello` is the floor of a request. `/customers/:id` is the app's landing tab (Account Summary) as the bare
// stack would serve it: the same reads as prepared statements in one read transaction, rendered by Eta from
// the app's own templates, so both sides draw the same page (docs/performance.md, "The bare page").
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Eta } from 'eta';
import Fastify from 'fastify';
import type { StaffPrincipal } from '../src/auth/principal.ts';
import { activitiesOf, type HistoryEvent } from '../src/features/customer-module/metrics/queries.ts';
import { customerTabLinks } from '../src/features/customer-module/tabs.ts';
import { countryNames } from '../src/features/customers/schemas.ts';
import { navigationFor } from '../src/plugins/navigation.ts';
import { fmt } from '../src/plugins/views.ts';
import { answerLoopDelay } from './loop-delay.ts';

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
db.pragma('journal_mode = WAL');

const statements = {
  customer: db.prepare('SELECT * FROM customers WHERE id = ?'),
  balance: db.prepare(
    'SELECT COALESCE(SUM(open_cents), 0) AS total FROM invoices WHERE customer_id = ? AND open_cents > 0',
  ),
  billTo: db.prepare('SELECT * FROM locations WHERE customer_id = ? AND is_bill_to = 1 ORDER BY id LIMIT 1'),
  alerts: db.prepare(
    'SELECT id, message, created_at FROM alerts WHERE customer_id = ? AND cleared_at IS NULL ORDER BY id DESC LIMIT 5',
  ),
  reseller: db.prepare('SELECT name FROM resellers WHERE id = ?').pluck(),
  pinnedNotes: db.prepare(`SELECT n.id, n.body, n.pinned, n.created_at, u.name AS author_name
    FROM notes n LEFT JOIN users u ON u.id = n.author_user_id
    WHERE n.customer_id = ? AND n.pinned = 1 ORDER BY n.id DESC LIMIT 3`),
  openTickets: db.prepare(
    "SELECT id, subject, created_at FROM tickets WHERE customer_id = ? AND status = 'open' ORDER BY id DESC LIMIT 5",
  ),
  events: db.prepare(`SELECT a.id, a.entity, a.entity_id, a.action, a.field, a.old_value, a.new_value, a.reason,
      a.acting_as, u.name AS actor_name, a.at
    FROM audit_events a LEFT JOIN users u ON u.id = a.actor_user_id
    WHERE a.customer_id = ? ORDER BY a.id DESC LIMIT 32`),
};

/** Everything the landing tab reads, in one read transaction. */
const landingTab = db.transaction((id: number) => {
  const customer = statements.customer.get(id) as { id: number; reseller_id: number; is_corporate: number } | undefined;
  if (!customer) return undefined;
  const billTo = statements.billTo.get(id) as { id: number } | undefined;
  const header = {
    balanceCents: (statements.balance.get(id) as { total: number }).total,
    billTo,
    billToId: billTo?.id ?? null,
    alerts: statements.alerts.all(id),
    resellerName: statements.reseller.get(customer.reseller_id) as string,
  };
  const activity = activitiesOf(statements.events.all(id) as HistoryEvent[], 8).rows;
  return {
    customer,
    header,
    pinnedNotes: statements.pinnedNotes.all(id),
    openTickets: statements.openTickets.all(id),
    activity,
  };
});

// The signed-in user and settings the app's layout draws; constant here, as the bare stack has no sessions.
const user: StaffPrincipal = {
  kind: 'staff',
  id: 1,
  email: 'admin@example.com',
  name: 'Ada Admin',
  role: 'admin',
  resellerId: null,
  landingTab: 'account-summary',
};
const eta = new Eta({
  views: fileURLToPath(new URL('../views/', import.meta.url)),
  cache: true,
  autoEscape: true,
  autoTrim: [false, 'nl'],
});

const app = Fastify();
app.get('/hello', async () => ({ ok: true }));
app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
  const page = landingTab(Number(request.params.id));
  if (!page) return reply.code(404).send('not found');
  const html = eta.render('customer-module/account-summary/index', {
    ...page,
    title: (page.customer as unknown as { name: string }).name,
    resellerName: page.header.resellerName,
    countryNames,
    tabs: customerTabLinks(page.customer, 'account-summary'),
    subTabs: null,
    principal: user,
    user,
    csrfToken: 'bare-stack-has-no-sessions',
    flash: {},
    nav: navigationFor(user, request.url),
    currentPath: request.url,
    fmt,
    asset: (url: string) => url,
  });
  return reply.type('text/html; charset=utf-8').send(html);
});

answerLoopDelay();
await app.listen({ port: Number(port), host: '127.0.0.1' });
