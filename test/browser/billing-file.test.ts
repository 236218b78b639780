import t from 'tap';
import { anExternalCustomerCharged } from '../fixtures/billing-file.ts';
import { anInstitution } from '../fixtures/institutions.ts';
import { demoUsers } from '../helpers/app.ts';
import { expectAccessible, screenshot, signInPage, startBrowserApp } from '../helpers/browser.ts';

t.test(
  'an admin sees a billing error, fixes it inline from its link, re-checks, generates, downloads, marks final',
  async (t) => {
    const { baseUrl, browser, db } = await startBrowserApp(t);
    const inst = await anInstitution(db, 'Numberless College');
    await anExternalCustomerCharged(db, {
      name: 'Nora Numberless',
      institutionId: inst.id,
      issuedOn: '2031-03-10',
      amounts: [4_200, 1_050],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

    await signInPage(page, baseUrl, demoUsers.admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'External Billing File' }).click();
    await page.getByLabel('Billing period').fill('2031-03');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(`${baseUrl}/billing-file?period=2031-03`);
    const validation = page.locator('#billing-validation');
    await validation.getByText('1 billing error').waitFor();
    t.ok(await page.getByRole('button', { name: 'Generate file' }).isDisabled(), 'Generate is disabled');
    await expectAccessible(t, page, 'billing-file-errors');
    await screenshot(page, 'billing-file-errors');

    // The link opens the External Customer Numbers page with the add dialog on that institution.
    await validation.getByRole('link', { name: 'Add a number for institution Numberless College' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a new institution' });
    await dialog.waitFor();
    await dialog.getByLabel('Customer Number').fill('NC-77');
    await expectAccessible(t, page, 'billing-file-fix-dialog');
    await screenshot(page, 'billing-file-fix-dialog');
    await dialog.getByRole('button', { name: 'Create External Customer Info' }).click();
    await page
      .locator('#institution-section')
      .getByRole('row', { name: /Numberless College/ })
      .waitFor();
    t.notOk(await dialog.isVisible(), 'the dialog closed with the number in the list');

    // Back to the file: Re-check (htmx) clears the error without a reload.
    await page.goBack();
    await page.waitForURL(/\/billing-file/);
    await page.evaluate(() => ((window as unknown as { marker: string }).marker = 'same page'));
    await validation.getByRole('link', { name: 'Re-check' }).click();
    await validation.getByText('No billing errors').waitFor();
    t.equal(await page.evaluate(() => (window as unknown as { marker?: string }).marker), 'same page');
    t.equal(await page.evaluate(() => document.activeElement?.id), 'recheck', 'focus stays on Re-check');
    await expectAccessible(t, page, 'billing-file-no-errors');
    await screenshot(page, 'billing-file-no-errors');

    await page.getByRole('button', { name: 'Generate file' }).click();
    await page.getByText('Billing file generated').waitFor();
    const file = await db('billing_files').first();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: `Download file #${file.id} for 2031-03` }).click(),
    ]);
    const stream = await download.createReadStream();
    let text = '';
    for await (const chunk of stream) text += chunk;
    t.match(text, /\nNC-77,Institution,Numberless College,/);
    t.equal(text.trim().split('\n').length, 3, 'a header and two lines');

    await page.getByRole('link', { name: `Mark file #${file.id} final` }).click();
    const confirm = page.locator('#confirm-dialog');
    await confirm.waitFor();
    await expectAccessible(t, page, 'billing-file-confirm-final');
    await screenshot(page, 'billing-file-confirm-final');
    await page.locator('#confirm-dialog-ok').click();
    await page.getByText('The file for March 2031 is final').first().waitFor();
    t.equal((await db('billing_files').where('id', file.id).first()).status, 'final');
    await expectAccessible(t, page, 'billing-file-final');
    await screenshot(page, 'billing-file-final');
    await page.getByRole('link', { name: 'History' }).click();
    await page.getByRole('heading', { name: 'Billing file history' }).waitFor();
    await expectAccessible(t, page, 'billing-file-history');
    await screenshot(page, 'billing-file-history');
    t.same(errors, [], 'no script or console errors');
  },
);
