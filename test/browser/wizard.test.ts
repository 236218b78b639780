import type { Page } from 'playwright-core';
import t from 'tap';
import { aService } from '../fixtures/catalogue.ts';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, expectActionsAligned, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Refused forms answer 422 (and a lost number 409) by design; any other console error fails the test.
  page.on('console', (m) => m.type() === 'error' && !/status of 4(22|09)/.test(m.text()) && errors.push(m.text()));
  return errors;
}

type Tap = Parameters<typeof startBrowserApp>[0];

/** The app, a 1280×900 page signed in as `user` whose script errors are watched, for one test. */
async function signedInPage(t: Tap, user: string) {
  const app = await startBrowserApp(t);
  const page = await (await app.browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = watchErrors(page);
  await signInPage(page, app.baseUrl, user);
  return { ...app, page, errors };
}

t.test(
  'a new customer with three numbers through every tab, Back to Numbers to remove one, onto the new service',
  async (t) => {
    const { db, page, errors } = await signedInPage(t, demoUsers.admin);

    await page.getByRole('link', { name: /Add Customers and Services/ }).click();
    await expectAccessible(t, page, 'wizard-0-start');
    await screenshot(page, 'wizard-0-start');
    await page.getByRole('button', { name: 'Next' }).click();

    // Customer
    await page.getByRole('heading', { name: 'Customer' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    t.ok(await page.getByText('Enter a PIN of 4 to 8 digits.').first().isVisible(), 'Customer validates');
    await page.getByLabel('Reseller').selectOption({ label: 'Northwind Telecom' });
    await page.getByLabel('Name', { exact: true }).fill('Harbour Lights Cafe');
    await page.getByLabel('E-mail Address').fill('owner@harbourlights.example');
    await page.getByLabel('Street address').fill('1 Quay Street');
    await page.getByLabel('Town or city').fill('Birmingham');
    await page.getByLabel('Postal code').fill('B1 1AA');
    await page.getByLabel('PIN', { exact: true }).fill('4821');
    await page.getByLabel('Custom Account ID').fill('HL-1');
    await expectAccessible(t, page, 'wizard-1-customer');
    await screenshot(page, 'wizard-1-customer');
    await page.getByRole('button', { name: 'Next' }).click();

    // Service
    await page.getByRole('heading', { name: 'Service', exact: true }).waitFor();
    await page.getByLabel(/Hosted Voice/).check();
    await page.getByRole('button', { name: 'Choose' }).click();
    await page.getByLabel(/Hosted Voice/).waitFor();
    await page.getByRole('button', { name: 'See Product Details' }).click();
    await page.getByText('A cloud phone line').waitFor();
    t.ok(
      await page.locator('#product-details').getByRole('heading', { name: 'Hosted Voice' }).isVisible(),
      'the side panel shows the product',
    );
    await expectAccessible(t, page, 'wizard-2-service');
    await screenshot(page, 'wizard-2-service');
    await page.getByRole('button', { name: 'Next' }).click();

    // Numbers
    await page.getByRole('heading', { name: 'Numbers', exact: true }).waitFor();
    await page.getByLabel('Prefix').selectOption('0121737');
    await page.getByLabel('How many').fill('6');
    await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'Add 01217370003' }).waitFor();
    t.match(page.url(), /prefix=0121737/, 'the search is in the address');
    await expectActionsAligned(t, page.locator('#numbers-work table').first(), 'number results');
    await page.getByRole('button', { name: 'Add 01217370003' }).click();
    await page.getByRole('button', { name: 'Remove 01217370003' }).waitFor();
    await page.getByRole('checkbox', { name: '01217370004' }).check();
    await page.getByRole('checkbox', { name: '01217370005' }).check();
    await page.getByRole('button', { name: 'Add Ticked Numbers' }).click();
    await page.getByRole('button', { name: 'Remove 01217370005' }).waitFor();
    t.ok(await page.getByRole('button', { name: 'Remove 01217370004' }).isVisible(), 'both ticked numbers were added');
    t.match(await page.locator('.pricing').textContent(), /Silver numbers × 3/, 'pricing follows the chosen numbers');
    await page.getByLabel('Select all').check();
    t.equal(
      await page.locator('[data-select-all-member]:checked').count(),
      await page.locator('[data-select-all-member]').count(),
      'select all ticks every listed number',
    );
    await page.getByLabel('Select all').uncheck();
    await expectAccessible(t, page, 'wizard-3-numbers');
    await screenshot(page, 'wizard-3-numbers');
    await page.getByRole('button', { name: 'Next' }).click();

    // Settings
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    for (const n of ['01217370003', '01217370004', '01217370005']) {
      await page.locator('fieldset', { hasText: n }).getByLabel('Caller display name').fill('Harbour Lights');
    }
    await page.locator('fieldset', { hasText: '01217370004' }).getByLabel('Ring time').fill('30');
    await page.getByRole('button', { name: 'Update' }).first().click();
    await page.getByText('Settings updated.').waitFor();
    await expectAccessible(t, page, 'wizard-4-settings');
    await screenshot(page, 'wizard-4-settings');
    await page.getByRole('button', { name: 'Next' }).click();

    // Billing, then Back to Numbers and remove one
    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
    await page.getByLabel('Price List For this Service').selectOption({ label: 'Partner Discount' });
    await page.getByRole('button', { name: 'Change Price List' }).click();
    await page.getByText('Priced under Partner Discount.').waitFor();
    await expectAccessible(t, page, 'wizard-5-billing');
    await screenshot(page, 'wizard-5-billing');
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    t.equal(
      await page.locator('fieldset', { hasText: '01217370004' }).getByLabel('Ring time').inputValue(),
      '30',
      'Back keeps the settings',
    );
    await page.getByRole('button', { name: 'Back' }).click();
    await page.getByRole('heading', { name: 'Numbers', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Remove 01217370005' }).click();
    await page.getByRole('button', { name: 'Remove 01217370005' }).waitFor({ state: 'detached' });
    t.match(await page.locator('.pricing').textContent(), /Silver numbers × 2/, 'pricing follows the removal');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
    t.equal(
      await page.getByLabel('Price List For this Service').locator('option:checked').textContent(),
      'Partner Discount',
      'the price list was kept',
    );
    await page.getByRole('button', { name: 'Next' }).click();

    // Creation
    await page.getByRole('heading', { name: 'Creation', exact: true }).waitFor();
    await expectAccessible(t, page, 'wizard-6-creation-summary');
    await screenshot(page, 'wizard-6-creation-summary');
    await page.getByLabel('Show the Full Validity Report').check();
    await page.getByLabel('Show the terms and conditions').check();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText('Either party may end a service').waitFor();
    t.ok(
      await page.getByText(/Assigns 01217370003 \(Silver\) to service 1/).isVisible(),
      'the full report lists each effect',
    );
    await expectAccessible(t, page, 'wizard-6-creation-full');
    await screenshot(page, 'wizard-6-creation-full');
    await page.getByLabel('I Agree to the Terms and Conditions of these Services').check();
    await page.getByRole('button', { name: 'Create Services' }).click();
    await page.getByRole('heading', { name: 'Service Creation' }).waitFor();
    await expectAccessible(t, page, 'wizard-6-creation-done');
    await screenshot(page, 'wizard-6-creation-done');
    await page.getByRole('button', { name: 'Next' }).click();

    // Notifications
    await page.getByRole('heading', { name: 'Notifications', exact: true }).waitFor();
    await page.getByLabel(/^Numbers \(/).check();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByText(/01217370004 \(Silver\) assigned to service/).waitFor();
    await page.getByLabel('E-mail the customer').check();
    await expectAccessible(t, page, 'wizard-7-notifications');
    await screenshot(page, 'wizard-7-notifications');
    await page.getByLabel('After Finish, go to').selectOption({ label: 'The new service' });
    await page.getByRole('button', { name: 'Finish' }).click();

    await page.getByRole('heading', { name: /Hosted Voice #\d+/ }).waitFor();
    t.ok(await page.getByText('One e-mail is on the way.').isVisible());
    t.equal(await page.locator('form.number-settings').count(), 2, 'the new service has the two numbers left');
    await expectAccessible(t, page, 'service-details');
    await screenshot(page, 'service-details');
    await page.getByRole('link', { name: /Products/ }).click();
    await page.getByRole('link', { name: /Hosted Voice #/ }).waitFor();
    await expectAccessible(t, page, 'customer-products');
    await screenshot(page, 'customer-products');

    const customer = await db('customers').where({ name: 'Harbour Lights Cafe' }).first();
    const numbers = await db('phone_numbers').where({ customer_id: customer.id }).orderBy('number').pluck('number');
    t.same(numbers, ['01217370003', '01217370004']);
    t.equal(
      (await db('phone_numbers').where({ number: '01217370005' }).first()).status,
      'available',
      'the removed number went back to the pool',
    );
    t.equal((await db('emails').where({ customer_id: customer.id })).length, 1);
    t.same(errors, [], 'no script errors or CSP violations');
  },
);

t.test('Only Create a Customer Account goes straight to Billing and creates the customer', async (t) => {
  const { baseUrl, db, page, errors } = await signedInPage(t, demoUsers.reseller);
  await page.goto(`${baseUrl}/wizard`);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByLabel('Name', { exact: true }).fill('Quayside Books');
  await page.getByLabel('E-mail Address').fill('hello@quayside.example');
  await page.getByLabel('Street address').fill('3 Quay Street');
  await page.getByLabel('Town or city').fill('Bristol');
  await page.getByLabel('Postal code').fill('BS1 4DJ');
  await page.getByLabel('PIN', { exact: true }).fill('1357');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Only Create a Customer Account' }).click();
  await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
  t.ok(
    await page.locator('.wizard-step-skipped', { hasText: 'Numbers' }).isVisible(),
    'Numbers and Settings show as skipped',
  );
  await expectAccessible(t, page, 'wizard-customer-only-billing');
  await screenshot(page, 'wizard-customer-only-billing');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Creates no services: only the customer account.').waitFor();
  await page.getByLabel('I Agree to the Terms and Conditions of these Services').check();
  await page.getByRole('button', { name: 'Create Services' }).click();
  await page.getByRole('heading', { name: 'Service Creation' }).waitFor();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('heading', { level: 1, name: 'Quayside Books' }).waitFor();
  const customer = await db('customers').where({ name: 'Quayside Books' }).first();
  t.ok(customer.pin_hash, 'the customer exists with a PIN');
  t.equal((await db('services').where({ customer_id: customer.id })).length, 0, 'and no services');
  t.same(errors, [], 'no script errors or CSP violations');
});

t.test(
  'an existing customer found by type-ahead, two numbers spread over a quantity of 2, each number updated alone',
  async (t) => {
    const { baseUrl, db, page, errors } = await signedInPage(t, demoUsers.reseller);
    await page.goto(`${baseUrl}/wizard`);
    await page.getByRole('button', { name: 'Next' }).click();

    // Customer: no PIN hint until a customer is chosen; the type-ahead finds it by part of its name.
    await page.getByLabel('An Existing Customer').check();
    await page.getByRole('button', { name: 'Update' }).click();
    await page.getByLabel('Find the customer').waitFor();
    t.equal(await page.getByText('has no PIN yet').count(), 0, 'no PIN hint before a customer is chosen');
    await page.getByLabel('Find the customer').fill('plumb');
    await page.getByRole('button', { name: 'Choose Acme Plumbing Ltd' }).click();
    await page.locator('.picked', { hasText: 'Acme Plumbing Ltd' }).waitFor();
    t.ok(await page.getByText('This customer has no PIN yet').isVisible(), 'the PIN hint for the chosen customer');
    await page.getByLabel(/^PIN/).fill('2468');
    await screenshot(page, 'wizard-existing-customer');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByLabel(/Hosted Voice/).check();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('Prefix').selectOption('0121737');
    await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
    await page.getByRole('checkbox', { name: '01217370001' }).check();
    await page.getByRole('checkbox', { name: '01217370002' }).check();
    await page.getByRole('button', { name: 'Add Ticked Numbers' }).click();
    await page.getByRole('button', { name: 'Remove 01217370002' }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();

    // Settings: a quantity of 2 spreads the numbers; a number's Update checks it alone.
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.getByLabel('Quantity of services').fill('2');
    await page.getByRole('button', { name: 'Update quantity' }).click();
    await page.getByText('The numbers are spread evenly over 2 services.').waitFor();
    const first = page.locator('fieldset', { hasText: '01217370001' });
    const second = page.locator('fieldset', { hasText: '01217370002' });
    t.equal(await first.getByLabel('Service').inputValue(), '1');
    t.equal(await second.getByLabel('Service').inputValue(), '2', 'each service gets a number');
    await first.getByLabel('Caller display name').fill('Acme Depot');
    await first.getByRole('button', { name: 'Update 01217370001' }).click();
    await page.getByText('Settings of 01217370001 updated.').waitFor();
    t.equal(await page.getByText('Enter the caller display name.').count(), 0, 'the other number is not flagged');
    await screenshot(page, 'wizard-settings-quantity-2');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Enter the caller display name.').waitFor();
    await second.getByLabel('Caller display name').fill('Acme Office');
    await page.getByRole('button', { name: 'Next' }).click();

    await page.getByRole('heading', { name: 'Billing', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('I Agree to the Terms and Conditions of these Services').check();
    await page.getByRole('button', { name: 'Create Services' }).click();
    await page.getByRole('heading', { name: 'Service Creation' }).waitFor();
    await screenshot(page, 'wizard-quantity-2-created');
    const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
    const services = await db('services').where({ customer_id: acme.id }).orderBy('id').pluck('id');
    t.equal(services.length, 2);
    for (const id of services)
      t.equal((await db('service_numbers').where({ service_id: id })).length, 1, `service ${id} has a number`);
    t.same(errors, [], 'no script errors or CSP violations');
  },
);

t.test('Service Details: add a number, remove one after asking, change the price list, end the service', async (t) => {
  const { baseUrl, db, page, errors } = await signedInPage(t, demoUsers.reseller);
  const acme = await db('customers').where({ name: 'Acme Plumbing Ltd' }).first();
  const service = await aService(db, {
    customerId: acme.id,
    serviceTypeId: (await db('service_types').where({ name: 'Hosted Voice' }).first()).id,
    priceListId: (await db('price_lists').where({ name: 'Business Standard' }).first()).id,
    numbers: ['01217370003'],
    settings: { caller_display_name: 'Acme', ring_time: '20', voicemail: 'on', forwarding_destination: '' },
  });
  await page.goto(`${baseUrl}/services/${service.id}`);

  await page.getByLabel('Prefix').selectOption('0121737');
  await page.getByLabel('How many').fill('3');
  await page.getByRole('main').getByRole('button', { name: 'Search' }).click();
  await page.getByRole('button', { name: 'Add 01217370001' }).click();
  await page.getByText('01217370001 added.').waitFor();
  t.equal(await page.locator('form.number-settings').count(), 2, 'the service has the new number');
  await screenshot(page, 'service-details-added');

  await page.getByRole('link', { name: 'Remove 01217370003' }).click();
  await page.getByRole('heading', { name: 'Remove 01217370003?' }).waitFor();
  t.equal(await page.evaluate(() => document.activeElement?.textContent), 'Keep number', 'the safe choice has focus');
  await screenshot(page, 'service-details-remove');
  await page.getByRole('button', { name: 'Remove number' }).click();
  await page.getByText(/01217370003 removed\. It goes back to the inventory on/).waitFor();

  await page.getByLabel('Price List For this Service').selectOption({ label: 'Partner Discount' });
  await page.getByRole('button', { name: 'Change Price List' }).click();
  await page.getByText('The service is priced under Partner Discount now.').waitFor();
  t.ok(await page.getByText('price list from “Business Standard” to “Partner Discount”').isVisible(), 'in the history');

  await page.getByRole('link', { name: 'End service…' }).click();
  await page.getByRole('heading', { name: /End Hosted Voice #\d+\?/ }).waitFor();
  await screenshot(page, 'service-details-end');
  await page.getByRole('button', { name: 'End service' }).click();
  await page.getByText('This service has ended').waitFor();
  await screenshot(page, 'service-details-ended');
  t.equal((await db('services').where({ id: service.id }).first()).status, 'ended');
  t.equal((await db('phone_numbers').where({ number: '01217370001' }).first()).status, 'quarantined');
  t.same(errors, [], 'no script errors or CSP violations');
});
