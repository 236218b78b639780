import t from 'tap';
import { aTaxRate } from '../fixtures/bill-run.ts';
import { aUsageRate } from '../fixtures/usage.ts';
import { demoUsers } from '../helpers/app.ts';
import {
  expectAccessible,
  expectActionsAligned,
  noScriptContext,
  pageErrors,
  screenshot,
  signInPage,
  startBrowserApp,
} from '../helpers/browser.ts';

t.test('an admin edits a tax rate in its row and deletes one through the dialog, without a page reload', async (t) => {
  const { baseUrl, browser, db } = await startBrowserApp(t);
  await aTaxRate(db, { name: 'GB VAT', country: 'GB', kind: 'recurring', rate: 20_000 });
  await aTaxRate(db, { name: 'NY sales tax', country: 'US', region: 'NY', kind: 'usage', rate: 8_875 });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = pageErrors(page);

  await signInPage(page, baseUrl, demoUsers.admin);
  await page.goto(`${baseUrl}/taxes`);
  const table = page.locator('#tax-rates');
  await expectActionsAligned(t, table, 'tax rates');
  await expectAccessible(t, page, 'tax-rates-page');
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

  const vat = table.getByRole('row', { name: /GB VAT/ });
  await vat.getByRole('link', { name: 'Edit tax rate GB VAT' }).click();
  const rate = vat.getByLabel('Rate (%)');
  await rate.waitFor();
  t.equal(await rate.inputValue(), '20');
  t.ok(
    await vat.getByLabel('Name of tax rate GB VAT').evaluate((i) => i === document.activeElement),
    'the first field has the focus',
  );
  await rate.fill('twenty');
  await vat.getByRole('button', { name: 'Save tax rate GB VAT' }).click();
  await vat.getByRole('alert').waitFor();
  t.equal(await rate.inputValue(), 'twenty', 'the row comes back filled in');
  await expectAccessible(t, page, 'tax-rate-row-error');
  await screenshot(page, 'tax-rate-row-error');

  await rate.fill('17.5');
  await vat.getByLabel('Name of tax rate GB VAT').fill('UK VAT');
  await screenshot(page, 'tax-rate-row-editing');
  await rate.press('Enter');
  const uk = table.getByRole('row', { name: /UK VAT/ });
  await uk.getByRole('link', { name: 'Edit tax rate UK VAT' }).waitFor();
  t.equal(await uk.getByRole('cell').nth(5).textContent(), '17.5%');
  t.ok(
    await uk.getByRole('link', { name: 'Edit tax rate UK VAT' }).evaluate((a) => a === document.activeElement),
    "after a save, focus is on the row's pencil",
  );
  t.match(await db('tax_rates').where('name', 'UK VAT').first(), { rate_millipercent: 17_500 });

  const ny = table.getByRole('row', { name: /NY sales tax/ });
  await ny.getByRole('link', { name: 'Delete tax rate NY sales tax' }).click();
  const dialog = page.getByRole('dialog', { name: 'Please confirm' });
  await dialog.waitFor();
  t.match(await dialog.textContent(), /Delete the tax rate NY sales tax\?.*invoices already made keep their tax lines/);
  t.ok(
    await dialog.getByRole('button', { name: 'Keep rate' }).evaluate((b) => b === document.activeElement),
    'the safe button has focus',
  );
  await expectAccessible(t, page, 'tax-rate-delete-dialog');
  await screenshot(page, 'tax-rate-delete-dialog');
  await dialog.getByRole('button', { name: 'Delete rate' }).click();
  await ny.waitFor({ state: 'detached' });
  t.equal((await db('tax_rates').where('name', 'NY sales tax')).length, 0);
  t.equal(
    await page.evaluate(() => (window as unknown as { marker?: string }).marker),
    'same page',
    'no page reload happened',
  );

  // The usage rates' rows work the same way (looked at, not driven again).
  const list = (await db('price_lists').orderBy('id').first('id')).id;
  const usage = await aUsageRate(db, { prefix: '44', perMinuteMillicents: 1_250 });
  await page.goto(`${baseUrl}/usage/rates?price_list=${list}`);
  await page.getByRole('link', { name: 'Edit usage rate for 44' }).click();
  await page.locator(`#usage-rate-${usage.id}`).getByLabel('Price a minute ($)').waitFor();
  await expectActionsAligned(t, page.locator('#usage-rates'), 'usage rates');
  await expectAccessible(t, page, 'usage-rate-row-editing');
  await screenshot(page, 'usage-rate-row-editing');
  const acme = await db('customers').where('name', 'Acme Plumbing Ltd').first('id');
  await db('tax_exemptions').insert({
    customer_id: acme.id,
    certificate_ref: 'EX-77',
    expires_on: '2030-01-01',
    created_at: new Date().toISOString(),
  });
  await page.goto(`${baseUrl}/taxes`);
  await page.getByRole('link', { name: 'Edit exemption EX-77 of Acme Plumbing Ltd' }).click();
  await page.getByLabel('Expires on', { exact: true }).first().waitFor();
  await expectAccessible(t, page, 'exemption-row-editing');
  await screenshot(page, 'exemption-row-editing');
  t.same(errors, [], 'no script errors or CSP violations');
  await context.close();

  // Without JavaScript: the pencil opens the row on a page of its own, the trash can a confirmation page.
  const plain = await (await noScriptContext(browser)).newPage();
  await signInPage(plain, baseUrl, demoUsers.admin);
  await plain.goto(`${baseUrl}/taxes`);
  await plain.getByRole('link', { name: 'Edit tax rate UK VAT' }).click();
  await plain.getByRole('heading', { name: 'Edit tax rate' }).waitFor();
  await expectAccessible(t, plain, 'tax-rate-edit-page');
  await screenshot(plain, 'tax-rate-edit-page');
  await plain.getByLabel('Rate (%)').fill('20');
  await plain.getByRole('button', { name: 'Save tax rate UK VAT' }).click();
  await plain.getByText('UK VAT saved.').waitFor();
  await plain.getByRole('link', { name: 'Delete tax rate UK VAT' }).click();
  await plain.getByRole('heading', { name: 'Delete the tax rate UK VAT?' }).waitFor();
  await expectAccessible(t, plain, 'tax-rate-delete-page');
  await plain.getByRole('button', { name: 'Delete rate' }).click();
  await plain.getByText('UK VAT deleted.').waitFor();
  t.equal((await db('tax_rates')).length, 0);
});
