import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Locator, Page } from 'playwright-core';
import t from 'tap';
import { refreshReceivables } from '../../src/features/home/receivables.ts';
import { reportJobHandlers } from '../../src/features/reports/jobs.ts';
import { queueDueRuns } from '../../src/features/reports/runs.ts';
import { runDueJobs } from '../../src/jobs/queue.ts';
import { aReport } from '../fixtures/reports.ts';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, pageErrors, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

/** Drags one field row by its handle above another, with pointer moves as a person would. */
async function dragAbove(page: Page, item: Locator, target: Locator) {
  await target.scrollIntoViewIfNeeded();
  const from = (await item.locator('.drag-handle').boundingBox())!;
  const to = (await target.boundingBox())!;
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  // Sortable starts a drag after the pointer has moved a little and follows it frame by frame.
  for (let step = 1; step <= 12; step++) {
    await page.mouse.move(from.x + from.width / 2 + step, from.y + ((to.y + 4 - from.y) * step) / 12);
    await page.waitForTimeout(30);
  }
  await page.waitForTimeout(200);
  await page.mouse.up();
  await page.waitForTimeout(200);
}

const fieldOrder = (page: Page) =>
  page
    .locator('.field-order input[name="order"]')
    .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));

t.test(
  'a reseller creates an on-demand report with Custom Account ID dragged first, runs it and downloads the CSV',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    await db('customers').where('name', 'Acme Plumbing Ltd').update({ custom_account_id: 'ACME-42' });
    await refreshReceivables(db);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors = pageErrors(page);

    await signInPage(page, baseUrl, demoUsers.reseller);
    await expectAccessible(t, page, 'home-dashboard-reseller');
    await screenshot(page, 'home-dashboard-reseller');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Custom Reports' }).click();
    await page.waitForURL(`${baseUrl}/reports`);
    await page.getByText('No reports yet').waitFor();
    await page.getByRole('link', { name: 'Add New Report' }).first().click();
    await page.waitForURL(`${baseUrl}/reports/new`);
    await page.getByLabel('Report name').fill('Accounts for finance');

    const item = (key: string) => page.locator(`.field-order-item[data-key="${key}"]`);
    t.equal((await fieldOrder(page))[0], 'custom_account_id', 'Custom Account ID starts first');
    await dragAbove(page, item('name'), item('custom_account_id'));
    t.same((await fieldOrder(page)).slice(0, 2), ['name', 'custom_account_id'], 'Name dragged to the top');
    await dragAbove(page, item('custom_account_id'), item('name'));
    t.same((await fieldOrder(page)).slice(0, 2), ['custom_account_id', 'name'], 'Custom Account ID dragged back first');
    await page.getByLabel('Services', { exact: true }).uncheck();
    await expectAccessible(t, page, 'report-form');
    await screenshot(page, 'report-form');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/\/reports\/\d+$/);
    await expectAccessible(t, page, 'report-page-on-demand');
    await screenshot(page, 'report-page-on-demand');

    await page.getByRole('link', { name: 'Run', exact: true }).click();
    await page.waitForURL(/\/run$/);
    const heads = await page.locator('.report-table thead th').allTextContents();
    t.same(heads.slice(0, 3), ['Custom Account ID', 'Name', 'Account Number']);
    t.notOk(heads.includes('Services'), 'a deselected field is left out');
    await page.getByRole('cell', { name: 'ACME-42' }).waitFor();
    await expectAccessible(t, page, 'report-run');
    await screenshot(page, 'report-run');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download CSV' }).click(),
    ]);
    const rows: string[][] = parse(readFileSync((await download.path())!, 'utf8'));
    t.equal(rows[0][0], 'Custom Account ID', 'the first column is the Custom Account ID');
    t.ok(rows.some((r) => r[0] === 'ACME-42' && r[1] === 'Acme Plumbing Ltd'));
    t.same(errors, [], 'no page errors');
  },
);

t.test('screenshots: the report list, a periodic report with its runs, the admin dashboard', async (t) => {
  const { baseUrl, browser, db, config } = await startBrowserApp(t);
  const northwind = await db('resellers').where('name', 'Northwind Telecom').first();
  await aReport(db, { reseller_id: northwind.id, name: 'All customers' });
  const weekly = await aReport(db, {
    reseller_id: northwind.id,
    name: 'Past-due customers (weekly)',
    schedule: 'weekly',
    weekday: 1,
    period: 'last-week',
    filters: { withPastDueInvoices: true },
    fields: ['custom_account_id', 'name', 'past_due', 'oldest_invoice'],
    recipients: 'finance@northwind.example',
    next_run_at: '2026-11-23T06:00:00.000Z',
  });
  await queueDueRuns(db, new Date('2026-11-23T06:00:10Z'));
  await runDueJobs(db, reportJobHandlers({ publicUrl: baseUrl, database: config.database }), { worker: 'screens' });
  await queueDueRuns(db, new Date('2026-11-30T06:00:10Z'));
  await db('report_runs').where({ report_id: weekly.id, status: 'queued' }).update({
    status: 'failed',
    error: 'The database connection was lost while the file was written.',
    finished_at: '2026-11-30T06:00:12.000Z',
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInPage(page, baseUrl, demoUsers.reseller);
  await page.goto(`${baseUrl}/reports`);
  await expectAccessible(t, page, 'report-list');
  await screenshot(page, 'report-list');
  await page.getByRole('link', { name: 'Past-due customers (weekly)' }).click();
  await page.getByRole('button', { name: 'Retry' }).waitFor();
  await expectAccessible(t, page, 'report-page-runs');
  await screenshot(page, 'report-page-runs');
  await page.getByRole('button', { name: 'Delete' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  t.match(await dialog.textContent(), /Delete the report “Past-due customers \(weekly\)”/);
  await expectAccessible(t, page, 'report-delete-dialog');
  await screenshot(page, 'report-delete-dialog');
  await dialog.getByRole('button', { name: 'Keep report' }).click();
  t.ok(await db('reports').where('id', weekly.id).first(), 'cancel keeps the report');

  await refreshReceivables(db);
  const admin = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  await signInPage(admin, baseUrl, demoUsers.admin);
  t.ok(await admin.getByRole('img', { name: 'Open balance by age (days past due)' }).isVisible());
  await expectAccessible(t, admin, 'home-dashboard-admin');
  await screenshot(admin, 'home-dashboard-admin');
});
