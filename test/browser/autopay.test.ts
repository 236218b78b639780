import t from 'tap';
import { anAutopayConfiguration } from '../fixtures/billing.ts';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, pageErrors, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test(
  'Autopay in chromium: build a two-row configuration, drag it to the top, lock it, read the dry run',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const card = await db('payment_methods').where('customer_id', acme.id).first();
    const older = await anAutopayConfiguration(db, {
      customerId: acme.id,
      paymentMethodId: card.id,
      conditions: [{ trigger: 'line_item', operator: 'one_of', values: ['Call charges'] }],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = pageErrors(page);
    await signInPage(page, baseUrl, demoUsers.support);
    const base = `${baseUrl}/customers/${acme.id}/billing/automatic-payments`;
    await page.goto(base);
    await expectAccessible(t, page, 'autopay-list');
    await screenshot(page, 'autopay-list');

    await page.getByRole('link', { name: 'New', exact: true }).click();
    await page.waitForURL(`${base}/new`);
    const save = page.getByRole('button', { name: 'Save', exact: true });
    t.ok(await save.isDisabled(), 'Save is disabled while nothing is chosen');
    t.match(await page.locator('[data-save-warning]').textContent(), /Choose a payment method/, 'with the reason');
    await page.getByLabel('1. Payment method').selectOption(String(card.id));
    await page.locator('#trigger-0').selectOption('amount');
    t.ok(await page.locator('#operator-0 option[value="contains"]').isDisabled(), '"contains" does not fit an amount');
    await page.locator('#operator-0').selectOption('greater_than');
    await page.locator('#value-0').fill('250');
    t.ok(await save.isEnabled(), 'one valid row: Save is enabled');

    await page.getByText('Advanced').click();
    await page.getByRole('button', { name: 'Add a row of criteria' }).click();
    // htmx focuses the new row's autofocus field when the swap settles, once the request's answer is in.
    await page
      .locator('#trigger-1:focus')
      .waitFor({ timeout: 5000 })
      .catch(() => {});
    t.equal(await page.evaluate(() => document.activeElement?.id), 'trigger-1', 'the new row has the focus');
    // The form's script checks the swapped-in form on htmx:load, when the swap settles.
    await page
      .locator('[data-save]:disabled')
      .waitFor({ timeout: 5000 })
      .catch(() => {});
    t.ok(await save.isDisabled(), 'the empty second row disables Save again');
    await page.locator('#trigger-1').selectOption('line_item');
    await page.locator('#operator-1').selectOption('one_of');
    await page.locator('#value-1').fill('Business fibre, Gold plating');
    t.match(await page.locator('[data-save-warning]').textContent(), /“Gold plating” is not a line item/);
    await expectAccessible(t, page, 'autopay-advanced-form');
    await screenshot(page, 'autopay-advanced-form');
    await page.locator('#value-1').fill('Business fibre, Call charges');
    t.ok(await save.isEnabled(), 'both rows valid: Save is enabled');
    await save.click();
    await page.waitForURL(base);
    const created = await db('autopay_configurations').where('customer_id', acme.id).orderBy('id', 'desc').first();
    t.same(
      JSON.parse(created.conditions).map((c: { trigger: string }) => c.trigger),
      ['amount', 'line_item'],
      'saved with both rows',
    );

    // Drag the new configuration (second) above the older one.
    const handles = page.locator('.drag-handle');
    const from = (await handles.nth(1).boundingBox())!;
    const to = (await handles.nth(0).boundingBox())!;
    // The list moves at once in the page; the order is saved by the POST it sends, so wait for its answer.
    const saved = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/automatic-payments/order'),
    );
    await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
    await page.mouse.down();
    await page.mouse.move(to.x + to.width / 2, to.y + 5, { steps: 12 });
    await page.mouse.move(to.x + to.width / 2, to.y + 2, { steps: 4 });
    await page.mouse.up();
    await saved;
    await page.waitForFunction(
      (id) => document.querySelector('.autopay-item')?.getAttribute('data-id') === String(id),
      created.id,
    );
    const order = await db('autopay_configurations').where('customer_id', acme.id).orderBy('position').pluck('id');
    t.same(order, [created.id, older], 'the drag reordered them in the database');

    await page.getByRole('button', { name: 'Lock configuration 1' }).click();
    await page.waitForSelector(`#lock-${created.id}[aria-pressed="true"]`);
    t.equal(
      await page.evaluate(() => document.activeElement?.id),
      `lock-${created.id}`,
      'the focus stays on the padlock',
    );
    t.ok(Boolean((await db('autopay_configurations').where('id', created.id).first()).locked), 'locked');

    // Acme's $45.00 "Call charges" invoice matches the older configuration; the $264 one has a payment scheduled.
    const pays = page.locator('[data-pays]');
    t.equal(await pays.count(), 1, 'the dry run pays one invoice');
    t.match(await pays.first().textContent(), /INV-\d+ \$45\.00 with Acme Business Visa/);
    t.match(await page.locator('.dry-run').textContent(), /because a payment on it is scheduled/);
    await expectAccessible(t, page, 'autopay-locked-dry-run');
    await screenshot(page, 'autopay-locked-dry-run');

    await page.goto(`${baseUrl}/customers/${acme.id}/billing/calendar`);
    t.match(await page.locator('.day-entry-autopay').first().textContent(), /1AP \$45\.00/);
    await page.locator('.day-entry-autopay').first().click();
    await page.getByText('Autopay forecast:').waitFor();
    await expectAccessible(t, page, 'autopay-calendar');
    await screenshot(page, 'autopay-calendar');
    t.same(errors, [], 'no script or CSP error');
  },
);
