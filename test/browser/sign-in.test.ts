import t from 'tap';
import { demoUsers } from '../helpers/app.ts';
import {
  expectAccessible,
  FULL_CHROMIUM_PATH,
  pageErrors,
  screenshot,
  signInPage,
  startBrowserApp,
} from '../helpers/browser.ts';

t.test('a user signs in through the real page in chromium and sees the home page', async (t) => {
  const { baseUrl, browser } = await startBrowserApp(t, FULL_CHROMIUM_PATH);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = pageErrors(page);

  await page.goto(`${baseUrl}/`);
  t.match(page.url(), /\/login\?next=%2F$/, 'an anonymous visitor is sent to sign in');
  await expectAccessible(t, page, 'sign-in');
  await screenshot(page, 'sign-in');

  await page.getByLabel('E-mail address').fill(demoUsers.admin);
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  t.equal(await page.getByRole('alert').textContent(), 'That e-mail and password do not match an active account.');
  t.equal(await page.getByLabel('E-mail address').inputValue(), demoUsers.admin, 'the e-mail is kept');

  for (const [role, email] of Object.entries(demoUsers)) {
    await signInPage(page, baseUrl, email);
    t.ok(
      await page.getByRole('heading', { level: 1, name: /Good to see you/ }).isVisible(),
      `${role} sees the home page`,
    );
    await expectAccessible(t, page, `home-${role}`);
    await screenshot(page, `home-${role}`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${baseUrl}/login`);
  }
  t.same(errors, [], 'no script errors or CSP violations');
  await context.close();
});
