import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import t from 'tap';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, pageErrors, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test(
  'support finds a customer by Custom Account ID, switches tabs, adds a note, uploads a document, changes the status and finds all three in Metrics',
  async (t) => {
    const { baseUrl, browser, db, dir } = await startBrowserApp(t);
    await db('customers').where({ name: 'Acme Plumbing Ltd' }).update({ custom_account_id: 'CRM-ACME-7' });
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const errors = pageErrors(page);
    /** Waits for what a click (an htmx-boosted swap) should show, then counts it as an assertion. */
    const shows = async (locator: Locator, message: string) =>
      t.ok(
        await locator.waitFor({ timeout: 5000 }).then(
          () => true,
          () => false,
        ),
        message,
      );

    await signInPage(page, baseUrl, demoUsers.support);
    await page.getByRole('link', { name: 'Customers', exact: true }).click();
    await page.getByLabel('Search customers', { exact: true }).fill('crm-acme');
    await page.getByRole('link', { name: 'Baker & Sons Bakery' }).waitFor({ state: 'detached' });
    await page.getByRole('link', { name: 'Acme Plumbing Ltd' }).click();
    await page.waitForURL(/\/customers\/\d+\/account-summary$/);
    const base = page.url().replace(/\/account-summary$/, '');
    await shows(
      page.getByRole('heading', { level: 2, name: 'Account Summary' }),
      'the customer opens on the landing tab',
    );
    await shows(page.getByText('Verify identity with the account PIN'), 'the header shows the alert');

    // Every tab, by click (htmx-boosted links), with a screenshot of each.
    const tabs = [
      'Customer Information',
      'Locations',
      'Linked Accounts',
      'Communications',
      'Task Tickets',
      'Documents',
      'Facilities',
      'Orders',
      'Billing Information',
      'Products',
      'Alerts',
      'Users',
      'Metrics',
      'Additional Information',
      'Account Summary',
    ];
    for (const label of tabs) {
      await page.getByRole('navigation', { name: 'Customer' }).getByRole('link', { name: label, exact: true }).click();
      await page.locator('.tabs a[aria-current="page"]', { hasText: label }).waitFor();
      await expectAccessible(t, page, `customer-tab-${label.toLowerCase().replace(/ /g, '-')}`);
      await screenshot(page, `customer-tab-${label.toLowerCase().replace(/ /g, '-')}`);
    }
    t.pass('every tab opens by click');

    // A note.
    await page.getByRole('navigation', { name: 'Customer' }).getByRole('link', { name: 'Communications' }).click();
    await page.getByRole('button', { name: 'Add note' }).click();
    await shows(page.getByText('Write the note.'), 'an empty note is refused beside the field');
    await page.getByLabel('Note', { exact: true }).fill('Asked for a callback on Friday.');
    await page.getByRole('button', { name: 'Add note' }).click();
    await page.getByText('Note added.').waitFor();
    t.ok(await page.getByText('Asked for a callback on Friday.').isVisible());

    // A document, uploaded and downloaded.
    await page.getByRole('navigation', { name: 'Customer' }).getByRole('link', { name: 'Documents' }).click();
    const file = join(dir, 'signed-contract.pdf');
    writeFileSync(file, '%PDF-1.4 signed contract\n');
    await page.getByLabel('File').setInputFiles(file);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page.getByText('signed-contract.pdf uploaded.').waitFor();
    await expectAccessible(t, page, 'customer-documents-uploaded');
    await screenshot(page, 'customer-documents-uploaded');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'signed-contract.pdf' }).click(),
    ]);
    t.equal(download.suggestedFilename(), 'signed-contract.pdf');
    t.equal(
      readFileSync((await download.path())!, 'utf8'),
      '%PDF-1.4 signed contract\n',
      'the download has the uploaded bytes',
    );

    // A status change with a reason.
    await page
      .getByRole('navigation', { name: 'Customer' })
      .getByRole('link', { name: 'Customer Information' })
      .click();
    await page.getByLabel('New status').selectOption('suspended');
    await page.getByRole('button', { name: 'Change status' }).click();
    await shows(page.getByText('Say why the status changes.'), 'a reason is required');
    await page.getByLabel('Reason').fill('Disputed invoice under review');
    await page.getByRole('button', { name: 'Change status' }).click();
    await page.getByText('Status changed to suspended.').waitFor();
    await expectAccessible(t, page, 'customer-information-after-status');
    await screenshot(page, 'customer-information-after-status');

    // Inline edit of Customer Information with htmx.
    await page.getByRole('link', { name: 'Edit', exact: true }).first().click();
    await page.getByLabel('Phone').fill('+1 555 0100 999');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Customer information saved.').waitFor();

    // All three in Metrics.
    await page.getByRole('navigation', { name: 'Customer' }).getByRole('link', { name: 'Metrics' }).click();
    await shows(page.getByRole('cell', { name: 'Disputed invoice under review' }), 'Status Changes has the reason');
    await expectAccessible(t, page, 'customer-metrics-status-changes');
    await screenshot(page, 'customer-metrics-status-changes');
    await page.getByRole('navigation', { name: 'Metrics' }).getByRole('link', { name: 'Field Level Changes' }).click();
    await shows(page.getByRole('cell', { name: '+1 555 0100 999' }), 'Field Level Changes has the phone');
    await expectAccessible(t, page, 'customer-metrics-field-changes');
    await screenshot(page, 'customer-metrics-field-changes');
    await page.getByRole('navigation', { name: 'Metrics' }).getByRole('link', { name: 'Activity Log' }).click();
    for (const line of ['Note added', 'Document added', 'Customer account status changed'])
      await shows(page.getByText(line, { exact: true }).first(), `the Activity Log has “${line}”`);
    await expectAccessible(t, page, 'customer-metrics-activity-log');
    await screenshot(page, 'customer-metrics-activity-log');
    await page.getByRole('navigation', { name: 'Metrics' }).getByRole('link', { name: 'User Access Trail' }).click();
    await shows(page.getByText('support@example.com').first(), 'the access trail has the visit');
    await expectAccessible(t, page, 'customer-metrics-access-trail');
    await screenshot(page, 'customer-metrics-access-trail');

    // The other ways in, and the client facing view.
    await page.goto(`${baseUrl}/customers/recent`);
    await expectAccessible(t, page, 'customers-recently-viewed');
    await screenshot(page, 'customers-recently-viewed');
    await page.goto(`${baseUrl}/customers/inventory`);
    await page.getByLabel('Status').selectOption('suspended');
    await page.getByRole('link', { name: 'Delta Freight Services' }).waitFor();
    await expectAccessible(t, page, 'customers-inventory');
    await screenshot(page, 'customers-inventory');
    await page.goto(`${base}/users`);
    await page.getByRole('button', { name: 'Impersonate Customer' }).click();
    await page.getByRole('button', { name: 'Open client view' }).click();
    await page.getByRole('button', { name: 'Stop' }).waitFor();
    await expectAccessible(t, page, 'portal-impersonation');
    await screenshot(page, 'portal-impersonation');
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByRole('heading', { name: 'Users' }).waitFor();
    await page.goto(`${baseUrl}/my-settings`);
    await expectAccessible(t, page, 'my-settings');
    await screenshot(page, 'my-settings');
    await page.goto(`${base}/communications/letters?template=welcome`);
    await expectAccessible(t, page, 'customer-letter-new');
    await screenshot(page, 'customer-letter-new');
    await page.goto(`${base}/tickets/1`);
    await expectAccessible(t, page, 'customer-ticket');
    await screenshot(page, 'customer-ticket');
    await page.goto(`${base}/locations`);
    await page.getByRole('link', { name: 'Edit Head office' }).click();
    await expectAccessible(t, page, 'customer-location-edit');
    await screenshot(page, 'customer-location-edit');
    t.same(errors, [], 'no script or CSP errors');
  },
);
