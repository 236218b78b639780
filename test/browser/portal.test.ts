import t from 'tap';
import { setConfigurationFlag } from '../../src/features/ledger/autopay/configurations.ts';
import { anAutopayConfiguration } from '../fixtures/billing.ts';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, saveFile, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test(
  'E3/E14 in chromium: staff add a contact and send the welcome e-mail; the contact sets a password, signs in, pays two invoices; Revoke Access refuses the next click',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    const errors: string[] = [];
    const watch = (page: import('playwright-core').Page) => {
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => m.type() === 'error' && !/status of (422|410)/.test(m.text()) && errors.push(m.text()));
    };
    const staff = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    watch(staff);
    await signInPage(staff, baseUrl, demoUsers.support);
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();

    // Customer Details: add a contact with a profile.
    await staff.goto(`${baseUrl}/customers/${acme.id}`);
    await staff.getByRole('navigation', { name: 'Customer' }).getByRole('link', { name: 'Customer Details' }).click();
    await staff.getByRole('heading', { name: 'Customer Details' }).waitFor();
    await staff.getByRole('link', { name: 'Add contact' }).click();
    await staff.getByLabel('Name').fill('Cora Contact');
    await staff.getByLabel('E-mail address').fill('cora@acme.example');
    await staff.getByLabel('Contact profile').selectOption({ label: 'Accounts payable (default)' });
    await expectAccessible(t, staff, 'contact-new');
    await screenshot(staff, 'contact-new');
    await staff.getByRole('button', { name: 'Add contact' }).click();
    await staff.getByText('Contact Cora Contact added.').waitFor();
    await staff.getByRole('button', { name: 'Send welcome e-mail' }).click();
    await staff.getByText('Welcome e-mail queued to cora@acme.example.').waitFor();
    await expectAccessible(t, staff, 'contact-profile');
    await screenshot(staff, 'contact-profile');
    await staff.getByRole('link', { name: '← Customer Details' }).click();
    await staff.getByRole('link', { name: 'Cora Contact' }).waitFor();
    await expectAccessible(t, staff, 'customer-details');
    await screenshot(staff, 'customer-details');
    // The type-ahead search (htmx) narrows the list in place and keeps the focus in the box.
    await staff.getByLabel('Search contacts').fill('cora');
    await staff.getByRole('link', { name: 'Priya Acme' }).waitFor({ state: 'detached' });
    t.ok(await staff.getByRole('link', { name: 'Cora Contact' }).isVisible(), 'the search keeps the match');
    t.equal(
      await staff.evaluate(() => document.activeElement?.id),
      'contact-search',
      'the focus stays in the search box',
    );
    t.match(staff.url(), /q=cora/, 'the URL says what was searched');

    // The contact follows the link in the e-mail (read from the outbox: the SMTP path has its own test).
    const mail = await db('emails').where({ to_address: 'cora@acme.example', template: 'contact-welcome' }).first();
    const link = /\/portal\/password\/[A-Za-z0-9_-]{43}/.exec(mail.body)![0];
    const contact = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    watch(contact);
    await contact.goto(`${baseUrl}${link}`);
    await contact.getByLabel('New password', { exact: true }).fill('cora’s portal password');
    await contact.getByLabel('New password again').fill('cora’s portal password');
    await contact.getByRole('button', { name: 'Set password' }).click();
    await contact.getByText('Your password is set.').waitFor();
    await contact.getByLabel('E-mail address').fill('cora@acme.example');
    await contact.getByLabel('Password').fill('cora’s portal password');
    await contact.getByRole('button', { name: 'Sign in' }).click();
    await contact.getByRole('heading', { name: 'Welcome, Cora Contact' }).waitFor();
    t.ok(await contact.getByText('Acme Plumbing Ltd').first().isVisible(), 'the portal shows the customer’s name');
    await expectAccessible(t, contact, 'portal-home');
    await screenshot(contact, 'portal-home');

    // Pay Selected: the two past-due invoices.
    const pastDue = await db('invoices')
      .where({ customer_id: acme.id })
      .where('open_cents', '>', 0)
      .where('due_on', '<', new Date().toISOString().slice(0, 10))
      .orderBy('due_on');
    for (const invoice of pastDue) await contact.getByLabel(`Select ${invoice.number}`).check();
    await contact.getByRole('button', { name: 'Pay Selected' }).click();
    await contact.waitForURL(/\/portal\/payments\/new\?/);
    await expectAccessible(t, contact, 'portal-pay-invoice');
    await screenshot(contact, 'portal-pay-invoice');
    await contact.getByRole('button', { name: 'CONFIRM' }).click();
    await contact.waitForURL(/\/portal\/transactions\/\d+$/);
    t.match(await contact.locator('.flash-success').textContent(), /accepted/, 'the payment is confirmed');
    for (const invoice of pastDue)
      t.equal((await db('invoices').where({ id: invoice.id }).first()).open_cents, 0, `${invoice.number} is paid`);
    await expectAccessible(t, contact, 'portal-payment-confirmation');
    await screenshot(contact, 'portal-payment-confirmation');

    // Staff revoke access; the contact's open page is refused on its next click.
    await staff.getByRole('link', { name: 'Cora Contact' }).click();
    await staff.getByRole('link', { name: 'Revoke Access' }).click();
    await staff.getByRole('dialog').getByRole('button', { name: 'Revoke Access' }).click();
    await staff.getByText('Cora Contact can no longer use the portal.').waitFor();
    await contact.getByRole('link', { name: 'Invoice History' }).click();
    await contact.waitForURL(/\/portal\/login/);
    t.ok(await contact.getByRole('heading', { name: 'Sign in' }).isVisible(), 'the next click is refused');

    // The statement, and the portal through staff eyes.
    await staff.goto(`${baseUrl}/customers/${acme.id}/statement?from=2020-01-01`);
    await staff.getByRole('heading', { name: 'Account statement' }).waitFor();
    await expectAccessible(t, staff, 'statement');
    await screenshot(staff, 'statement');
    const pdf = await staff.request.get(`${baseUrl}/customers/${acme.id}/statement.pdf?from=2020-01-01`);
    t.equal(pdf.headers()['content-type'], 'application/pdf');
    await saveFile('statement.pdf', await pdf.body());

    // Autopay in the portal (E12/E14): a locked configuration is greyed without controls, the others move.
    const method = await db('payment_methods')
      .where({ customer_id: acme.id, friendly_name: 'Acme Business Visa' })
      .first();
    const configurations: number[] = [];
    for (const dollars of ['500', '250', '100'])
      configurations.push(
        await anAutopayConfiguration(db, {
          customerId: acme.id,
          paymentMethodId: method.id,
          conditions: [{ trigger: 'amount', operator: 'at_least', values: [dollars] }],
        }),
      );
    await setConfigurationFlag(db, acme.id, configurations[0], 'locked', true, { userId: null });
    await staff.goto(`${baseUrl}/customers/${acme.id}/users`);
    await expectAccessible(t, staff, 'users');
    await screenshot(staff, 'users');
    await staff.getByRole('button', { name: 'Impersonate Customer as Priya Acme' }).click();
    await staff.getByRole('button', { name: 'Open client view' }).click();
    await staff.getByRole('button', { name: 'Stop' }).waitFor();
    await expectAccessible(t, staff, 'portal-impersonation');
    await screenshot(staff, 'portal-impersonation');
    await staff.getByRole('link', { name: 'Payment Methods', exact: true }).click();
    await staff.getByRole('button', { name: 'Remove Acme Business Visa' }).waitFor();
    await expectAccessible(t, staff, 'portal-payment-methods');
    await screenshot(staff, 'portal-payment-methods');
    await staff.getByRole('link', { name: 'Autopay', exact: true }).click();
    await staff.getByRole('heading', { name: 'Autopay', exact: true }).waitFor();
    const locked = staff.locator(`li[data-id="${configurations[0]}"]`);
    t.equal(await locked.getByRole('button').count(), 0, 'no controls on the locked configuration');
    t.ok(await staff.getByRole('button', { name: 'Move configuration 2 up' }).isDisabled(), 'nothing passes it');
    await expectAccessible(t, staff, 'portal-autopay');
    await screenshot(staff, 'portal-autopay');
    await staff.getByRole('button', { name: 'Move configuration 3 up' }).click();
    await staff
      .locator('.autopay-item')
      .nth(1)
      .and(staff.locator(`[data-id="${configurations[2]}"]`))
      .waitFor();
    // Focus moves back when htmx settles the swap, a moment after the new order is in the page.
    await staff
      .waitForFunction(() => /^(up|down)-/.test(document.activeElement?.id ?? ''), null, { timeout: 2000 })
      .catch(() => undefined);
    t.match(
      await staff.evaluate(() => document.activeElement?.id),
      new RegExp(`^(up|down)-${configurations[2]}$`),
      'the focus stays on the moved configuration',
    );
    const order = await db('autopay_configurations').where({ customer_id: acme.id }).orderBy('position').pluck('id');
    t.same(order, [configurations[0], configurations[2], configurations[1]], 'saved as the contact moved it');
    t.same(errors, [], 'no script or CSP errors');
  },
);
