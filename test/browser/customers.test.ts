import t from 'tap';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, pageErrors, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test('a reseller creates a customer in four steps, goes Back once, then edits the Custom Account ID', async (t) => {
  const { baseUrl, browser, db } = await startBrowserApp(t);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);

  await signInPage(page, baseUrl, demoUsers.reseller);
  await page.getByRole('link', { name: 'Customers', exact: true }).click();
  await page.getByLabel('Search customers', { exact: true }).fill('plumb');
  await page.getByRole('link', { name: 'Baker & Sons Bakery' }).waitFor({ state: 'detached' });
  t.ok(await page.getByRole('link', { name: 'Acme Plumbing Ltd' }).isVisible(), 'typing filters the list');
  t.match(page.url(), /\/customers\?q=plumb$/, 'the address keeps the search');
  await expectAccessible(t, page, 'customers-list');
  await screenshot(page, 'customers-list');

  await page.getByRole('link', { name: 'New Customer Account' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  t.ok(await page.getByText('Choose Business or Personal.').isVisible(), 'step 1 validates');
  await page.getByLabel('Business').check();
  await page.getByLabel('Sales person').fill('Pat Seller');
  await page.getByLabel('Branch').fill('Leeds');
  await expectAccessible(t, page, 'new-customer-1-account-type');
  await screenshot(page, 'new-customer-1-account-type');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Step 2 of 4: Contact details' }).waitFor();
  await page.getByLabel('Company name').fill('Harbour Lights Cafe');
  await page.getByLabel('Street address').fill('12 Quay Street');
  await page.getByLabel('Town or city').fill('Bristol');
  await page.getByLabel('Postal code').fill('BS1 4DJ');
  await page.getByLabel('Country').selectOption('GB');
  await page.getByLabel('E-mail').fill('owner@harbourlights.example');
  await page.getByLabel('Phone').fill('+44 117 496 0000');
  await expectAccessible(t, page, 'new-customer-2-contact-details');
  await screenshot(page, 'new-customer-2-contact-details');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Step 3 of 4: Customer Account ID' }).waitFor();
  await page.getByLabel('Customer Account ID').fill('CRM-4411');
  await expectAccessible(t, page, 'new-customer-3-account-id');
  await screenshot(page, 'new-customer-3-account-id');
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Step 2 of 4: Contact details' }).waitFor();
  t.equal(await page.getByLabel('Company name').inputValue(), 'Harbour Lights Cafe', 'Back keeps step 2');
  await page.getByRole('button', { name: 'Next' }).click();
  t.equal(await page.getByLabel('Customer Account ID').inputValue(), 'CRM-4411', 'and step 3 kept its value too');
  await page.getByRole('button', { name: 'Next' }).click();

  await page.getByRole('heading', { name: 'Step 4 of 4: Administrative user' }).waitFor();
  await page.getByLabel('Logon name').fill('harbour.admin');
  await page.getByLabel('Password', { exact: true }).fill('correct horse battery');
  await page.getByLabel('Confirm password').fill('correct horse battery');
  await expectAccessible(t, page, 'new-customer-4-administrator');
  await screenshot(page, 'new-customer-4-administrator');
  await page.getByRole('button', { name: 'Finish' }).click();

  await page.getByRole('heading', { level: 1, name: 'Harbour Lights Cafe' }).waitFor();
  t.ok(await page.getByText(/The customer account was created/).isVisible());
  t.ok(await page.getByText('12 Quay Street').isVisible(), 'the address is the Bill To location');
  await expectAccessible(t, page, 'customer-information');
  await screenshot(page, 'customer-information');

  await page.getByRole('link', { name: 'Additional Information' }).click();
  t.equal(await page.locator('#custom-account-id-value').textContent(), 'CRM-4411');
  await page.getByRole('link', { name: 'Edit', exact: true }).click();
  const field = page.getByLabel('Customer Account ID');
  await field.waitFor();
  await field.fill('CRM-4411-B');
  await expectAccessible(t, page, 'additional-information-edit');
  await screenshot(page, 'additional-information-edit');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Customer Account ID saved.').waitFor();
  t.equal(await page.locator('#custom-account-id-value').textContent(), 'CRM-4411-B');
  t.match(
    await page.locator('#customer-keys').textContent(),
    /Customer Account ID CRM-4411-B/,
    'the header shows the new id at once',
  );
  await expectAccessible(t, page, 'additional-information');
  await screenshot(page, 'additional-information');

  const customer = await db('customers').where({ name: 'Harbour Lights Cafe' }).first();
  t.equal(customer.custom_account_id, 'CRM-4411-B');
  t.equal((await db('contacts').where({ customer_id: customer.id, login: 'harbour.admin' })).length, 1);
  t.same(errors, [], 'no script errors or CSP violations');
  await context.close();
});

t.test(
  'A5: support puts a customer in an institution and a group by type-ahead and sees the effective number',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    const errors = pageErrors(page);
    await signInPage(page, baseUrl, demoUsers.support);
    const carla = await db('customers').where({ name: 'Carla Jensen' }).first();
    await page.goto(`${baseUrl}/customers/${carla.id}`);
    await page.locator('#customer-information').getByRole('link', { name: 'Edit' }).click();

    await page.getByLabel('Find an institution').fill('manch');
    await page.locator('#institution_id option', { hasText: 'Birmingham University' }).waitFor({ state: 'detached' });
    t.ok(
      await page.locator('#institution_id option', { hasText: 'Manchester Health Trust' }).count(),
      'typing narrows the institutions',
    );
    await page.getByLabel('Find an institution').fill('birm');
    await page.locator('#institution_id option', { hasText: 'Birmingham University' }).waitFor({ state: 'attached' });
    await page.getByLabel('Institution (optional)').selectOption({ label: 'Birmingham University' });
    await page.locator('#group_id option', { hasText: 'Robotics Group' }).waitFor({ state: 'detached' });
    t.same(
      await page.locator('#group_id option').allTextContents(),
      ['None', 'Genomics Lab', 'Physics Department', 'Smith Lab'],
      "the group list holds the institution's groups",
    );
    await page.getByLabel('Find a group').fill('smi');
    await page.locator('#group_id option', { hasText: 'Genomics Lab' }).waitFor({ state: 'detached' });
    await page.getByLabel('Group (optional)').selectOption({ label: 'Smith Lab' });
    await screenshot(page, 'customer-institution-group-edit');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText('External customer number SL-7781, from group Smith Lab.').waitFor();
    t.ok(
      await page.locator('#external-number-heading').locator('..').getByText('SL-7781').isVisible(),
      'the effective number and its source show on the page',
    );
    await screenshot(page, 'customer-institution-group-saved');
    await page.getByRole('link', { name: 'Smith Lab' }).click();
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await page.getByRole('link', { name: 'Carla Jensen' }).click();
    await page.getByRole('heading', { level: 1, name: 'Carla Jensen' }).waitFor();
    t.same(errors, [], 'no script errors or CSP violations');
  },
);
