import t from 'tap';
import { aCommissionPlan, aTaxRate } from '../fixtures/bill-run.ts';
import { aUsageRate, aVoiceService, cdrFile } from '../fixtures/usage.ts';
import { demoUsers } from '../helpers/app.ts';
import { screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

const PERIOD = '2031-03';

t.test(
  'an admin imports calls, previews a bill run, fixes a problem from its link, commits, sees the invoice',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    const acme = (await db('customers').where('name', 'Acme Plumbing Ltd').first('id')).id as number;
    await db('customers').where('id', acme).update({ sales_person: 'Jo Sales' });
    await aVoiceService(db, { customerId: acme, number: '01217370001', monthlyCents: 3_100, startsOn: '2031-02-01' });
    await aUsageRate(db, { prefix: '44', perMinuteMillicents: 10_000 });
    await aTaxRate(db, { name: 'GB VAT', country: 'GB', kind: 'recurring', rate: 20_000 });
    await aTaxRate(db, { name: 'GB usage levy', country: 'GB', kind: 'usage', rate: 10_000 });
    await aCommissionPlan(db, { name: 'Sales', payee: 'sales_person', recurring: 1_000, usage: 500, setup: 0 });
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await signInPage(page, baseUrl, demoUsers.admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing', exact: true }).click();
    await page.getByRole('link', { name: 'Call Records' }).click();
    await page.getByLabel('Call record file').setInputFiles({
      name: 'march.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        cdrFile([
          'b1,01217370001,442071234567,2031-03-12T10:00:00Z,61',
          'b2,01217370001,33123456789,2031-03-13T10:00:00Z,120',
          'b3,01217370001,not-a-number,2031-03-13T11:00:00Z,10',
        ]),
      ),
    });
    await page.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('cell', { name: 'destination must be digits' }).waitFor();
    t.match(
      await page.locator('.bad-rows').textContent(),
      />?4\s*destination must be digits/,
      'the bad row by its line',
    );

    await page.goto(`${baseUrl}/customers/${acme}/billing/unbilled-cdrs`);
    await page.getByText('on 2 unbilled calls').waitFor();
    await screenshot(page, 'unbilled-cdrs');

    await page.goto(`${baseUrl}/bill-run`);
    await page.getByLabel('Billing period').fill(PERIOD);
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('1 problem', { exact: true }).waitFor();
    await screenshot(page, 'bill-run-preview');
    t.ok(await page.getByRole('button', { name: 'Commit' }).isDisabled(), 'nothing to commit while Acme has a problem');

    await page.getByRole('link', { name: 'Add a usage rate' }).click();
    const prefix = page.getByLabel('Destination prefix');
    t.equal(await prefix.inputValue(), '33123456789', 'the fix form starts from the unrated destination');
    await prefix.fill('33');
    await page.getByLabel('Price a minute ($)').fill('0.25');
    await page.getByRole('button', { name: 'Add rate' }).click();
    await page.getByText('Rate for 33 added').waitFor();

    await page.goto(`${baseUrl}/bill-run/preview?period=${PERIOD}`);
    await page.getByText('No problems').waitFor();
    await page.getByRole('button', { name: 'Commit' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await page.getByRole('heading', { name: `Bill run for ${PERIOD}: done` }).waitFor();
    await screenshot(page, 'bill-run-progress');

    await page.locator('#bill-run-progress').getByRole('link', { name: /INV-/ }).click();
    const lines = page.getByRole('row');
    await lines.filter({ hasText: 'Hosted Voice calls (2)' }).waitFor();
    t.ok(await lines.filter({ hasText: 'GB VAT (20%)' }).isVisible(), 'a tax line on recurring charges');
    t.ok(await lines.filter({ hasText: 'GB usage levy (10%)' }).isVisible(), 'a tax line on usage');
    await screenshot(page, 'invoice-tax-lines');

    for (const [path, name] of [
      ['/taxes', 'tax-rates'],
      [`/commissions?period=${PERIOD}`, 'commissions-report'],
    ] as const) {
      await page.goto(`${baseUrl}${path}`);
      await screenshot(page, name);
    }
    await page.goto(`${baseUrl}/customers/${acme}/billing/security-deposits`);
    await page.getByLabel('Amount').fill('250.00');
    await page.getByLabel('Check number').fill('2231');
    await page.getByRole('button', { name: 'Record deposit' }).click();
    await page.getByText('received and held').first().waitFor();
    await screenshot(page, 'security-deposits');
    t.same(errors, [], 'no script errors');
  },
);
