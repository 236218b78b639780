import { writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildTestApp, DEMO_PASSWORD, type TestApp } from './app.ts';

type Tap = { teardown(fn: () => unknown): void };

export const CHROMIUM_PATH = '/usr/bin/chromium';

// Without the networking flags chromium keeps dialling Google's hosts, which this closed network refuses.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export type BrowserTestApp = TestApp & { baseUrl: string; browser: Browser };

/** The app on a free port with a fresh database, and a headless Debian chromium; both closed at the end. */
export async function startBrowserApp(t: Tap): Promise<BrowserTestApp> {
  const testApp = await buildTestApp(t);
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = testApp.app.server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return { ...testApp, baseUrl: `http://127.0.0.1:${port}`, browser };
}

/** Signs in through the real sign-in page and waits for the home page. */
export async function signInPage(page: Page, baseUrl: string, email: string): Promise<void> {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('E-mail address').fill(email);
  await page.getByLabel('Password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${baseUrl}/`);
}

/** Saves a screenshot when SCREENSHOTS=dir is set (used to look at pages; tests do not depend on it). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.SCREENSHOTS;
  if (dir) await page.screenshot({ path: `${dir}/${name}.png`, fullPage: true });
}

/** Saves a file (a PDF the app answered, say) beside the screenshots when SCREENSHOTS=dir is set. */
export async function saveFile(name: string, content: Buffer): Promise<void> {
  const dir = process.env.SCREENSHOTS;
  if (dir) await writeFile(`${dir}/${name}`, content);
}
