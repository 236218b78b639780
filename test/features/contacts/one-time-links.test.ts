import t, { type Test } from 'tap';
import { LINK_LIFETIME_MS } from '../../../src/features/contacts/links.ts';
import { sendDueEmails } from '../../../src/features/email/sender.ts';
import { smtpMailer } from '../../../src/features/email/smtp.ts';
import { aContact, aPortalContact } from '../../fixtures/customers.ts';
import { Agent, buildTestApp, csrfTokenIn, demoUsers, signIn } from '../../helpers/app.ts';
import { startSmtpServer } from '../../helpers/smtp-server.ts';

const PUBLIC_URL = 'https://billing.example.test';

async function setUp(t: Test) {
  const smtp = await startSmtpServer(t);
  const built = await buildTestApp(t, { SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, PUBLIC_URL });
  const send = () => sendDueEmails(built.db, smtpMailer({ url: built.config.smtpUrl!, from: built.config.mailFrom }));
  const acme = await built.db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  return { ...built, smtp, send, acme };
}

/** The path of the one-time link in a received e-mail. */
function linkIn(text: string): string {
  const match = new RegExp(`${PUBLIC_URL}(/portal/password/[A-Za-z0-9_-]{43})`).exec(text);
  if (!match) throw new Error(`no link in: ${text}`);
  return match[1];
}

t.test('E3 welcome e-mail → set a password from the link → sign in to the portal; the link works once', async (t) => {
  const { app, db, smtp, send, acme } = await setUp(t);
  const contact = await aContact(db, { customer_id: acme.id, name: 'Wendy Welcome', email: 'wendy@acme.example' });
  const support = await signIn(app, demoUsers.support);
  const sent = await support.post(`/customers/${acme.id}/contacts/${contact.id}/welcome`);
  t.equal(sent.statusCode, 303);
  t.same(await send(), { sent: 1, retrying: 0, failed: 0 });
  t.same(smtp.received[0].to, ['wendy@acme.example']);
  t.match(smtp.received[0].mail.subject, /Acme Plumbing Ltd/);
  const link = linkIn(smtp.received[0].mail.text ?? '');
  const token = link.split('/').pop()!;
  const stored = await db('contact_links').where({ contact_id: contact.id }).first();
  t.not(stored.token_hash, token, 'only a hash of the token is stored');
  t.ok(
    Math.abs(Date.parse(stored.expires_at) - Date.parse(stored.created_at) - LINK_LIFETIME_MS) < 1000,
    'valid for 72 hours',
  );
  t.match(
    (await support.get(`/customers/${acme.id}/contacts/${contact.id}`)).body,
    /sent/,
    'the e-mail history shows it',
  );

  const browser = new Agent(app);
  const form = await browser.get(link);
  t.equal(form.statusCode, 200);
  t.match(form.body, /Set your password/);
  const short = await browser.post(link, { password: 'short', password_confirm: 'short' });
  t.equal(short.statusCode, 422);
  t.match(short.body, /at least 10 characters/);
  const set = await browser.post(link, { password: 'wendy’s new password', password_confirm: 'wendy’s new password' });
  t.equal(set.statusCode, 303);
  t.equal(set.headers.location, '/portal/login');
  t.equal((await browser.get(link)).statusCode, 410, 'the link is spent');
  const twice = await browser.post(link, { password: 'another password!', password_confirm: 'another password!' });
  t.equal(twice.statusCode, 410);
  await browser.get('/portal/login');
  const signedIn = await browser.post('/portal/login', {
    email: 'wendy@acme.example',
    password: 'wendy’s new password',
  });
  t.equal(signedIn.statusCode, 303);
  t.match((await browser.get('/portal')).body, /Welcome, Wendy Welcome/);
});

t.test(
  'E3 password reset: the same answer for any address; the link works once; an expired link does not',
  async (t) => {
    const { app, db, smtp, send, acme } = await setUp(t);
    const contact = await aPortalContact(db, acme, { email: 'rick@acme.example' });
    const browser = new Agent(app);
    const page = await browser.get('/portal/password/forgot');
    const known = await browser.post('/portal/password/forgot', {
      email: 'rick@acme.example',
      _csrf: csrfTokenIn(page.body),
    });
    const unknown = await browser.post('/portal/password/forgot', { email: 'nobody@acme.example' });
    t.equal(known.statusCode, 200);
    t.equal(unknown.statusCode, 200);
    t.equal(
      known.body.replace(/rick@acme\.example/g, 'X').replace(/"x-csrf-token": "[^"]+"|value="[^"]+"/g, ''),
      unknown.body.replace(/nobody@acme\.example/g, 'X').replace(/"x-csrf-token": "[^"]+"|value="[^"]+"/g, ''),
      'the answer does not tell whether the address exists',
    );
    t.equal((await browser.post('/portal/password/forgot', { email: 'nope' })).statusCode, 422);
    t.same(await send(), { sent: 1, retrying: 0, failed: 0 });
    t.same(smtp.received[0].to, ['rick@acme.example']);
    const link = linkIn(smtp.received[0].mail.text ?? '');
    const first = await browser.post(link, { password: 'a brand new secret', password_confirm: 'a brand new secret' });
    t.equal(first.statusCode, 303);
    const second = await browser.post(link, {
      password: 'a second new secret',
      password_confirm: 'a second new secret',
    });
    t.equal(second.statusCode, 410, 'used twice, works once');
    const portal = new Agent(app);
    await portal.get('/portal/login');
    t.equal(
      (await portal.post('/portal/login', { email: 'rick@acme.example', password: 'a brand new secret' })).statusCode,
      303,
    );

    // An expired link: issue one, then move its expiry into the past.
    await browser.post('/portal/password/forgot', { email: 'rick@acme.example' });
    await send();
    const late = linkIn(smtp.received[1].mail.text ?? '');
    await db('contact_links')
      .where({ contact_id: contact.id })
      .whereNull('used_at')
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    t.equal((await browser.get(late)).statusCode, 410);
    t.equal((await browser.get('/portal/password/not-a-token')).statusCode, 410);
  },
);

t.test('E3 e-mail history per customer and contact, with Resend through SMTP', async (t) => {
  const { app, db, smtp, send, acme } = await setUp(t);
  const contact = await aContact(db, { customer_id: acme.id, name: 'Hugo History', email: 'hugo@acme.example' });
  const support = await signIn(app, demoUsers.support);
  await support.post(`/customers/${acme.id}/contacts/${contact.id}/welcome`);
  await send();
  const history = await support.get(`/customers/${acme.id}/emails`);
  t.equal(history.statusCode, 200);
  t.match(history.body, /hugo@acme\.example/);
  t.match(history.body, /Resend/);
  const email = await db('emails').where({ contact_id: contact.id }).first();
  t.equal(email.status, 'sent');
  const resent = await support.post(`/customers/${acme.id}/emails/${email.id}/resend`);
  t.equal(resent.headers.location, `/customers/${acme.id}/contacts/${contact.id}`);
  await send();
  t.equal(smtp.received.length, 2, 'it arrives again');
  t.equal(smtp.received[1].mail.text, smtp.received[0].mail.text, 'the same message');
  t.equal((await db('emails').where({ contact_id: contact.id })).length, 2, 'the history keeps both');

  const reseller = await signIn(app, demoUsers.reseller);
  const seen = await reseller.get(`/customers/${acme.id}/emails`);
  t.equal(seen.statusCode, 200);
  t.notMatch(seen.body, />Resend</, 'resellers see the history without Resend');
  t.equal((await reseller.post(`/customers/${acme.id}/emails/${email.id}/resend`)).statusCode, 403);
  const baker = await db('customers').where({ name: 'Baker & Sons Bakery' }).first();
  t.equal(
    (await support.post(`/customers/${baker.id}/emails/${email.id}/resend`)).statusCode,
    404,
    "another customer's e-mail",
  );
  t.equal((await (await signIn(app, demoUsers.reseller2)).get(`/customers/${acme.id}/emails`)).statusCode, 404);
});
