import t from 'tap';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, expectActionsAligned, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test('an admin adds, edits, discards and deletes customer numbers in place, without a page reload', async (t) => {
  const { baseUrl, browser, db } = await startBrowserApp(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // 422 and 409 answers are expected by design; any other console error (a CSP violation, say) fails the test.
  page.on('console', (m) => m.type() === 'error' && !/status of (422|409)/.test(m.text()) && errors.push(m.text()));

  await signInPage(page, baseUrl, demoUsers.admin);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'External Customer Numbers' }).click();
  await page.waitForURL(`${baseUrl}/external-numbers`);
  await expectActionsAligned(t, page.locator('#institution-section table'), 'institutions');
  await expectActionsAligned(t, page.locator('#group-section table'), 'groups');
  await expectAccessible(t, page, 'external-numbers-page');
  await screenshot(page, 'external-numbers-page');
  // A marker on the window survives only as long as the page is not reloaded.
  await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));

  // Add: the pop-up, type-ahead from two characters, pick, number, create.
  const groups = page.locator('#group-section');
  await groups.getByRole('link', { name: 'Add a new group' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add a new group' });
  await dialog.waitFor();
  const search = dialog.getByLabel('Search groups by name');
  await search.pressSequentially('r');
  await dialog.getByText('appear here once you have typed two characters').waitFor();
  await search.pressSequentially('ob');
  const result = dialog.getByRole('link', { name: 'Robotics Group' });
  await result.waitFor();
  await expectAccessible(t, page, 'external-numbers-dialog-results');
  await screenshot(page, 'external-numbers-dialog-results');
  await result.click();
  const number = dialog.getByLabel('Customer Number');
  await number.waitFor();
  t.ok(await dialog.getByText('Robotics Group').isVisible(), 'the selected group is shown');
  await number.fill('ROB-2026');
  await expectAccessible(t, page, 'external-numbers-dialog-selected');
  await screenshot(page, 'external-numbers-dialog-selected');
  await dialog.getByRole('button', { name: 'Create External Customer Info' }).click();
  const robotics = groups.getByRole('row', { name: /Robotics Group/ });
  await robotics.waitFor();
  t.equal(await robotics.getByRole('cell').nth(1).textContent(), 'ROB-2026');
  t.notOk(await dialog.isVisible(), 'the pop-up is gone');
  const pencilHasFocus = () =>
    robotics.getByRole('link', { name: 'Edit Robotics Group' }).evaluate((a) => a === document.activeElement);
  t.ok(await pencilHasFocus(), 'focus is on the new row, not the page body');
  t.equal((await db('external_customer_numbers').where({ number: 'ROB-2026' })).length, 1);

  // A swapped-in row is live in the same task as the swap: with htmx's default 20 ms settle delay, a click in
  // that gap followed the link's plain href and reloaded the page (a flaky CI run caught it).
  const liveAtOnce = page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        let loaded = false;
        document.body.addEventListener('htmx:load', () => (loaded = true), { once: true });
        document.body.addEventListener('htmx:afterSwap', () => queueMicrotask(() => resolve(loaded)), { once: true });
      }),
  );
  await robotics.getByRole('link', { name: 'Edit' }).click();
  t.ok(await liveAtOnce, 'the swapped-in row is processed by htmx before any other event can run');

  // Edit with the pencil, save with the check.
  const input = robotics.getByLabel('Customer Number for Robotics Group');
  await input.waitFor();
  t.equal(await input.inputValue(), 'ROB-2026');
  await input.fill('ROB-2027');
  await expectAccessible(t, page, 'external-numbers-row-editing');
  await screenshot(page, 'external-numbers-row-editing');
  await robotics.getByRole('button', { name: 'Save' }).click();
  // The display row is back (its Edit link), not just the input still holding the typed value.
  await robotics.getByRole('link', { name: 'Edit' }).waitFor();
  t.equal(await robotics.getByRole('cell').nth(1).textContent(), 'ROB-2027');
  t.ok(await pencilHasFocus(), 'after a save, focus is back on the row’s pencil');
  t.equal((await db('external_customer_numbers').where({ number: 'ROB-2027' })).length, 1);

  // Enter saves too; Escape discards.
  await robotics.getByRole('link', { name: 'Edit' }).click();
  await input.fill('ROB-2028');
  await input.press('Enter');
  await robotics.getByRole('link', { name: 'Edit' }).waitFor();
  t.equal(await robotics.getByRole('cell').nth(1).textContent(), 'ROB-2028');
  await robotics.getByRole('link', { name: 'Edit' }).click();
  await input.fill('ROB-ESC');
  await input.press('Escape');
  await robotics.getByRole('cell', { name: 'ROB-2028' }).waitFor();

  // Edit and discard with the x: the value is unchanged.
  await robotics.getByRole('link', { name: 'Edit' }).click();
  await input.fill('SHOULD-NOT-SAVE');
  await robotics.getByRole('link', { name: 'Discard' }).click();
  await robotics.getByRole('cell', { name: 'ROB-2028' }).waitFor();
  t.ok(await pencilHasFocus(), 'after a discard too');
  t.equal((await db('external_customer_numbers').where({ number: 'SHOULD-NOT-SAVE' })).length, 0);

  // A validation error shows in the row, with the typed value kept.
  await robotics.getByRole('link', { name: 'Edit' }).click();
  await input.fill('bad<value>');
  await robotics.getByRole('button', { name: 'Save' }).click();
  await robotics.getByRole('alert').waitFor();
  t.equal(await input.inputValue(), 'bad<value>');
  await expectAccessible(t, page, 'external-numbers-row-error');
  await screenshot(page, 'external-numbers-row-error');
  await robotics.getByRole('link', { name: 'Discard' }).click();

  // Delete with the trash can, after confirming.
  await robotics.getByRole('link', { name: 'Delete' }).click();
  const confirm = page.getByRole('dialog', { name: 'Please confirm' });
  await confirm.waitFor();
  t.match(await confirm.textContent(), /Delete customer number ROB-2028 of Robotics Group\?/);
  t.ok(
    await confirm.getByRole('button', { name: 'Keep number' }).evaluate((b) => b === document.activeElement),
    'the safe button has focus',
  );
  await expectAccessible(t, page, 'external-numbers-delete-dialog');
  await confirm.getByRole('button', { name: 'Delete number' }).click();
  await robotics.waitFor({ state: 'detached' });
  t.equal((await db('external_customer_numbers').where({ number: 'ROB-2028' })).length, 0);

  t.equal(
    await page.evaluate(() => (window as unknown as { marker?: string }).marker),
    'same page',
    'no page reload happened',
  );

  // The pages around it, for looking at: institutions, a duplicate with its merge choices, a customer's number.
  await page.getByRole('link', { name: 'Review possible duplicates' }).click();
  await expectAccessible(t, page, 'institutions-duplicates');
  await screenshot(page, 'institutions-duplicates');
  await page.getByRole('link', { name: "St. Mary's Hospital" }).click();
  await page.getByRole('heading', { name: 'Merge into another institution' }).waitFor();
  await expectAccessible(t, page, 'institution-show');
  await screenshot(page, 'institution-show');
  await page.goto(`${baseUrl}/groups?q=smith`);
  await expectAccessible(t, page, 'groups-list');
  await screenshot(page, 'groups-list');
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  await page.goto(`${baseUrl}/customers/${acme.id}`);
  t.ok(
    await page.getByText('from group Smith Lab').isVisible(),
    'the customer page shows the effective number and its source',
  );
  await expectAccessible(t, page, 'customer-external-number');
  await screenshot(page, 'customer-external-number');
  t.same(errors, [], 'no script errors or CSP violations');
  await context.close();
});

t.test('without JavaScript the same actions work as plain pages and forms', async (t) => {
  const { baseUrl, browser, db } = await startBrowserApp(t);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await signInPage(page, baseUrl, demoUsers.support);
  await page.goto(`${baseUrl}/external-numbers`);

  await page.getByRole('link', { name: 'Add a new institution' }).click();
  await page.getByLabel('Search institutions by name').fill('camb');
  await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Cambridge Research Park' }).click();
  await page.getByLabel('Customer Number').fill('CRP-1');
  await page.getByRole('button', { name: 'Create External Customer Info' }).click();
  await page.waitForURL(`${baseUrl}/external-numbers`);
  t.ok(await page.getByText('Customer number CRP-1 added for Cambridge Research Park.').isVisible());

  const row = page.getByRole('row', { name: /Cambridge Research Park/ });
  await row.getByRole('link', { name: 'Edit' }).click();
  await page.getByLabel('Customer Number for Cambridge Research Park').fill('CRP-2');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.waitForURL(`${baseUrl}/external-numbers`);
  t.equal(await row.getByRole('cell').nth(1).textContent(), 'CRP-2');

  await row.getByRole('link', { name: 'Delete' }).click();
  t.ok(
    await page.getByText('Delete customer number CRP-2 of institution Cambridge Research Park?').isVisible(),
    'a page asks first',
  );
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.waitForURL(`${baseUrl}/external-numbers`);
  t.equal(await row.count(), 0);
  t.equal((await db('external_customer_numbers').where({ number: 'CRP-2' })).length, 0);
  await context.close();
});
