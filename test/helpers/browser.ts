import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { buildTestApp, DEMO_PASSWORD, type TestApp } from './app.ts';

type Tap = { teardown(fn: () => unknown): void };

const require = createRequire(import.meta.url);

/**
 * Debian's chromium as the browser tests drive it: its headless shell (package chromium-headless-shell, the
 * same Blink and V8 as /usr/bin/chromium without the desktop browser around them, what Playwright itself
 * runs headless tests on) uses half the CPU per page, and the suite loads hundreds of pages. The sign-in
 * test drives the full browser (`FULL_CHROMIUM_PATH`), so both stay proved.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium-headless-shell';
export const FULL_CHROMIUM_PATH = '/usr/bin/chromium';

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
export async function startBrowserApp(t: Tap, executablePath = CHROMIUM_PATH): Promise<BrowserTestApp> {
  const testApp = await buildTestApp(t);
  await testApp.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = testApp.app.server.address() as AddressInfo;
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
  t.teardown(() => browser.close());
  return { ...testApp, baseUrl: `http://127.0.0.1:${port}`, browser };
}

/**
 * What would show a broken page, collected as it happens: uncaught errors and console errors (a CSP
 * violation, say), except the 422 answers refused forms give by design. Tests expect the list empty.
 */
export function pageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && !/status of 422/.test(m.text()) && errors.push(m.text()));
  return errors;
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

type Assert = { same(found: unknown, wanted: unknown, message: string): unknown };
type AxeViolation = { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] };

let axeSource: string | undefined;
const scriptless = new WeakSet<BrowserContext>();

/** A browser context with JavaScript off, for the plain-HTML path (F4); expectAccessible knows it. */
export async function noScriptContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
  scriptless.add(context);
  return context;
}

/**
 * Runs axe-core in the page as it is now and asserts no accessibility violations (WCAG 2.0/2.1 A and AA).
 * Every browser test calls it on every page state it visits. axe is injected once per document and
 * runs inside the page, so a check costs a few hundred milliseconds. A page without JavaScript is
 * checked as a copy of its HTML in a scripted page of the same browser.
 */
export async function expectAccessible(t: Assert, page: Page, state: string): Promise<void> {
  if (scriptless.has(page.context())) {
    const browser = page.context().browser() as Browser;
    const html = (await page.content()).replace('<head>', `<head><base href="${page.url()}">`);
    const probe = await browser.newPage({ viewport: page.viewportSize() ?? undefined });
    try {
      await probe.setContent(html, { waitUntil: 'load' });
      await expectAccessible(t, probe, state);
    } finally {
      await probe.close();
    }
    return;
  }
  if (!(await page.evaluate(() => 'axe' in window))) {
    axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
    // Evaluated through the DevTools protocol, which the app's CSP (scripts from 'self' only) does not govern.
    await page.evaluate(axeSource);
  }
  const violations: AxeViolation[] = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the script just injected
    const axe = (window as any).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return result.violations;
  });
  t.same(
    violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `no accessibility violations: ${state}`,
  );
}

type Equal = { equal(found: unknown, wanted: unknown, message: string): unknown };

/**
 * The action column of a table lines up with its rows (each action cell is a table cell as tall as its
 * row, its buttons centred) and the table fills its card's width.
 */
export async function expectActionsAligned(t: Equal, table: Locator, state: string): Promise<void> {
  const misfits = await table.evaluate((element) => {
    const found: string[] = [];
    const wrap = element.parentElement as HTMLElement;
    if (Math.abs(element.getBoundingClientRect().width - wrap.clientWidth) > 1)
      found.push('table narrower than its card');
    for (const cell of element.querySelectorAll<HTMLElement>('tbody td.actions')) {
      const row = (cell.parentElement as HTMLElement).getBoundingClientRect();
      const box = cell.getBoundingClientRect();
      if (getComputedStyle(cell).display !== 'table-cell') found.push('action cell is not a table cell');
      if (Math.abs(box.top - row.top) > 1 || Math.abs(box.bottom - row.bottom) > 1)
        found.push('action cell off its row');
      for (const control of cell.querySelectorAll<HTMLElement>('a, button')) {
        const c = control.getBoundingClientRect();
        if (Math.abs(c.top + c.height / 2 - (row.top + row.height / 2)) > 2) found.push('button off the row middle');
      }
    }
    return [...new Set(found)];
  });
  t.equal(misfits.join('; '), '', `action column aligned: ${state}`);
}
