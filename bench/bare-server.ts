// node --import tsx bench/bare-server.ts <database file> <port>
// What the stack alone can do, for bench/run.ts to compare the app with: Fastify, Eta and better-sqlite3 over
// the same benchmark database, read-only, with no sessions, guards, Knex or layout. `/hello` is the floor of
// a request; `/customers/:id` reads a customer with one prepared statement and renders a page shaped like
// the app's landing tab (header, tab bar, summary).
import Database from 'better-sqlite3';
import { Eta } from 'eta';
import Fastify from 'fastify';
import { customerTabs } from '../src/features/customer-module/tabs.ts';
import { answerLoopDelay } from './loop-delay.ts';

const [file, port] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
db.pragma('journal_mode = WAL');

const customerById = db.prepare(`
  SELECT c.id, c.account_number, c.name, c.kind, c.status, c.email, c.phone, c.created_at, r.name AS reseller,
         (SELECT COALESCE(SUM(i.open_cents), 0) FROM invoices i WHERE i.customer_id = c.id) AS open_cents,
         (SELECT COUNT(*) FROM invoices i WHERE i.customer_id = c.id) AS invoices
  FROM customers c LEFT JOIN resellers r ON r.id = c.reseller_id
  WHERE c.id = ?`);

// The app's tab bar (its labels and paths; nothing else of the app), so the page is of a similar size.
const tabs = customerTabs.map((tab) => ({ label: tab.label, path: tab.path }));
const eta = new Eta({ autoEscape: true, cache: true });
eta.loadTemplate(
  '@customer',
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title><%= it.c.name %> · ledgerdesk</title>
<link rel="stylesheet" href="/assets/app.css"></head>
<body><header class="topbar"><a class="brand" href="/">ledgerdesk</a>
<form class="global-search" action="/search"><input type="search" name="q"></form></header>
<main id="main" class="content">
<div class="customer-header"><h1><%= it.c.name %></h1>
<dl class="facts"><div><dt>Account</dt><dd><%= it.c.account_number %></dd></div>
<div><dt>Reseller</dt><dd><%= it.c.reseller ?? '—' %></dd></div>
<div><dt>Balance</dt><dd>$<%= (it.c.open_cents / 100).toFixed(2) %></dd></div></dl></div>
<nav class="tabs"><% for (const tab of it.tabs) { %><a class="tab" href="/customers/<%= it.c.id %><%= tab.path %>"><%= tab.label %></a>
<% } %></nav>
<section class="card"><h2>Account Summary</h2><dl class="facts">
<div><dt>Status</dt><dd><%= it.c.status %></dd></div>
<div><dt>Account type</dt><dd><%= it.c.kind %></dd></div>
<div><dt>E-mail</dt><dd><%= it.c.email ?? '—' %></dd></div>
<div><dt>Phone</dt><dd><%= it.c.phone ?? '—' %></dd></div>
<div><dt>Invoices</dt><dd><%= it.c.invoices %></dd></div>
<div><dt>Customer since</dt><dd><%= it.c.created_at %></dd></div></dl></section>
</main></body></html>`,
);

const app = Fastify();
app.get('/hello', async () => ({ ok: true }));
app.get<{ Params: { id: string } }>('/customers/:id', async (request, reply) => {
  const c = customerById.get(Number(request.params.id));
  if (!c) return reply.code(404).send('not found');
  return reply.type('text/html; charset=utf-8').send(eta.render('@customer', { c, tabs }));
});

answerLoopDelay();
await app.listen({ port: Number(port), host: '127.0.0.1' });
