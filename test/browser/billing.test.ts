import t from 'tap';
import { demoUsers } from '../helpers/app.ts';
import {
  expectAccessible,
  noScriptContext,
  pageErrors,
  screenshot,
  signInPage,
  startBrowserApp,
} from '../helpers/browser.ts';

t.test('staff pay two open invoices in part, add a card with NEW and reschedule a payment in chromium', async (t) => {
  const { baseUrl, browser, db } = await startBrowserApp(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = pageErrors(page);
  await signInPage(page, baseUrl, demoUsers.admin);

  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const base = `${baseUrl}/customers/${acme.id}/billing`;
  await page.goto(base);
  t.ok(await page.getByRole('heading', { name: 'Balance' }).isVisible(), 'the Balance section shows');
  const before = await db('invoices').where('customer_id', acme.id).sum({ open: 'open_cents' }).first();
  await expectAccessible(t, page, 'billing-balance');
  await screenshot(page, 'billing-balance');

  // Open Invoices: the two oldest (past due) are selected and paid in part, oldest due first.
  await page.getByRole('link', { name: 'Open Invoices' }).first().click();
  await page.waitForURL(`${base}/open-invoices`);
  t.ok(await page.getByTitle('Past due').first().isVisible(), 'a past-due invoice carries the red triangle');
  await expectAccessible(t, page, 'billing-open-invoices');
  await screenshot(page, 'billing-open-invoices');
  const boxes = page.locator('input[name="invoice_ids"]:not([disabled])');
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.getByRole('button', { name: 'Pay Selected' }).click();
  await page.waitForURL(/\/payments\/new\?/);
  await expectAccessible(t, page, 'billing-pay-invoice');
  await screenshot(page, 'billing-pay-invoice');
  await page.getByLabel('Amount', { exact: true }).fill('100.00');
  await page.getByRole('button', { name: 'CONFIRM' }).click();
  await page.waitForURL(/\/transactions\/\d+$/);
  t.match(
    await page.locator('.flash-success').textContent(),
    /Payment of \$100\.00 .* accepted/,
    'the confirmation shows',
  );
  const after = await db('invoices').where('customer_id', acme.id).sum({ open: 'open_cents' }).first();
  t.equal(Number(before?.open) - Number(after?.open), 10_000, 'the balance dropped by the amount paid');
  t.match(
    await page.locator('.balance-value').textContent(),
    new RegExp(`\\$${(Number(after?.open) / 100).toFixed(2).replace('.', '\\.')}`),
    'the new balance shows',
  );
  t.equal(await page.locator('table >> text=/INV-/').count(), 2, 'the payment was applied to both invoices');
  await expectAccessible(t, page, 'billing-payment-confirmation');
  await screenshot(page, 'billing-payment-confirmation');

  // NEW card.
  await page.getByRole('link', { name: 'Credit Cards' }).click();
  await expectAccessible(t, page, 'billing-credit-cards');
  await screenshot(page, 'billing-credit-cards');
  await page.getByRole('link', { name: 'NEW' }).click();
  await page.getByLabel('Friendly Name').fill('Mary’s Business Visa');
  await page.getByLabel('Name on card').fill('Mary Major');
  await page.getByLabel('Card number').fill('4242 4242 4242 4241');
  await page.getByLabel('Expiry month').selectOption('12');
  await page.getByLabel('Expiry year').selectOption({ index: 3 });
  await page.getByLabel('Security code').fill('123');
  await page.getByLabel(/authorises storing/).check();
  await page.getByRole('button', { name: 'Submit' }).click();
  t.equal(
    await page.locator('#card_number-error').textContent(),
    'This is not a valid card number. Check the digits.',
    'a mistyped number fails the Luhn check',
  );
  t.equal(await page.getByLabel('Card number').inputValue(), '', 'the number is not sent back');
  t.equal(await page.getByLabel('Friendly Name').inputValue(), 'Mary’s Business Visa', 'the other fields are kept');
  await expectAccessible(t, page, 'billing-new-card-error');
  await screenshot(page, 'billing-new-card-error');
  await page.getByLabel('Card number').fill('4242 4242 4242 4242');
  await page.getByLabel('Security code').fill('123');
  await page.getByRole('button', { name: 'Submit' }).click();
  await page.waitForURL(`${base}/credit-cards`);
  t.match(await page.locator('.flash-success').textContent(), /Mary’s Business Visa \(Visa ending 4242\) was added/);
  await expectAccessible(t, page, 'billing-card-added');
  await screenshot(page, 'billing-card-added');
  await page.goto(`${base}/payment-methods/new?kind=ach`);
  await expectAccessible(t, page, 'billing-new-ach');
  await screenshot(page, 'billing-new-ach');

  // RESCHEDULE the scheduled payment through the dialog.
  await page.goto(`${base}/scheduled`);
  await expectAccessible(t, page, 'billing-scheduled');
  await screenshot(page, 'billing-scheduled');
  const scheduled = await db('payments').where({ customer_id: acme.id, status: 'scheduled' }).first();
  await page.getByRole('link', { name: 'RESCHEDULE' }).first().click();
  const dialog = page.getByRole('dialog');
  t.ok(await dialog.isVisible(), 'the date picker opens in a dialog');
  await expectAccessible(t, page, 'billing-reschedule-dialog');
  await screenshot(page, 'billing-reschedule-dialog');
  const newDate = new Date(Date.parse(`${scheduled.paid_on}T00:00:00Z`) + 3 * 86_400_000).toISOString().slice(0, 10);
  await dialog.getByLabel('New date').fill(newDate);
  await dialog.getByRole('button', { name: 'RESCHEDULE' }).click();
  await page.waitForURL(`${base}/scheduled`);
  t.equal(
    (await db('payments').where('id', scheduled.id).first()).paid_on,
    newDate,
    'the payment moved to the new date',
  );
  t.match(
    await page.locator('.flash-success').textContent(),
    /now runs on \w{3} \d\d?, \d{4}\.$/,
    'in the app’s date format',
  );

  // Cancel it: the dialog's buttons say what they do, and the safe one has focus.
  const statusOf = async () => (await db('payments').where('id', scheduled.id).first()).status;
  await page
    .getByRole('button', { name: /^Cancel payment TX-/ })
    .first()
    .click();
  const confirm = page.locator('#confirm-dialog');
  t.ok(await confirm.isVisible(), 'cancelling asks first');
  t.ok(await confirm.getByRole('button', { name: 'Keep payment' }).evaluate((b) => b === document.activeElement));
  t.ok(await confirm.getByRole('button', { name: 'Cancel payment' }).isVisible());
  await expectAccessible(t, page, 'cancel dialog');
  await screenshot(page, 'billing-cancel-dialog');
  await page.keyboard.press('Enter');
  t.notOk(await confirm.isVisible(), 'Keep payment closes the dialog');
  t.equal(await statusOf(), 'scheduled', 'and keeps the payment');

  // Without JavaScript the same question is a page of its own.
  const noScript = await noScriptContext(browser);
  const plain = await noScript.newPage();
  await signInPage(plain, baseUrl, demoUsers.admin);
  await plain.goto(`${base}/scheduled`);
  await plain
    .getByRole('button', { name: /^Cancel payment TX-/ })
    .first()
    .click();
  t.ok(await plain.getByRole('heading', { name: /^Cancel the scheduled payment of \$/ }).isVisible(), 'a page asks');
  t.equal(await statusOf(), 'scheduled', 'nothing is cancelled before the answer');
  await expectAccessible(t, plain, 'cancel confirmation page');
  await screenshot(plain, 'billing-cancel-page');
  await plain.getByRole('link', { name: 'Keep payment' }).click();
  await plain.waitForURL(`${base}/scheduled`);
  t.equal(await statusOf(), 'scheduled', 'Keep payment keeps it');
  await plain
    .getByRole('button', { name: /^Cancel payment TX-/ })
    .first()
    .click();
  await plain.getByRole('button', { name: 'Cancel payment' }).click();
  await plain.waitForURL(`${base}/scheduled`);
  t.equal(await statusOf(), 'cancelled', 'Cancel payment on the page cancels it');
  await noScript.close();

  for (const [path, name] of [
    ['/pending', 'billing-pending'],
    ['/calendar', 'billing-calendar'],
    ['/credits', 'billing-credits'],
    ['/invoices', 'billing-invoice-history'],
    ['/transactions', 'billing-transaction-history'],
    ['/checks/new', 'billing-record-check'],
    ['/invoices/new', 'billing-new-invoice'],
    ['/unbilled-cdrs', 'billing-unbilled-cdrs'],
  ] as const) {
    await page.goto(`${base}${path}`);
    await expectAccessible(t, page, name);
    await screenshot(page, name);
  }
  await page.goto(`${base}/calendar?day=${newDate}`);
  await expectAccessible(t, page, 'billing-calendar-day');
  await screenshot(page, 'billing-calendar-day');
  const invoice = await db('invoices').where('customer_id', acme.id).orderBy('id').offset(1).first();
  await page.goto(`${base}/invoices/${invoice.id}`);
  await expectAccessible(t, page, 'billing-invoice-summary');
  await screenshot(page, 'billing-invoice-summary');
  await page.getByRole('link', { name: 'View', exact: true }).click();
  await expectAccessible(t, page, 'billing-invoice-print');
  await screenshot(page, 'billing-invoice-print');
  const credit = await db('credits').first();
  await page.goto(`${baseUrl}/customers/${credit.customer_id}/billing/credits/${credit.id}`);
  await expectAccessible(t, page, 'billing-credit');
  await screenshot(page, 'billing-credit');
  await page.goto(`${baseUrl}/search?q=acme`);
  await expectAccessible(t, page, 'search');
  await screenshot(page, 'search');
  await page.goto(`${baseUrl}/customers`);
  await page.getByLabel('Only with open invoices').check();
  await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/open_invoices=on/);
  t.notOk(
    await page.getByRole('link', { name: 'Carla Jensen' }).count(),
    'the quick filter leaves out customers without open invoices',
  );
  await expectAccessible(t, page, 'customers-open-invoices');
  await screenshot(page, 'customers-open-invoices');

  t.same(errors, [], 'no script errors or CSP violations');
  await context.close();
});
