/// <reference lib="dom" />
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Where each screen's screenshot goes (gitignored; CI keeps it as an artefact). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'artifacts', 'screenshots');

/** Debian's Chromium, found on PATH (`apt-get install -y chromium`). */
export function chromiumPath(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

/** Headless, as root, with nothing reaching outside this machine. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('Chromium is not installed: apt-get install -y chromium');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface Tab {
  page: Page;
  /** Content-Security-Policy violations and page errors seen so far. */
  problems: string[];
}

export async function newContext(browser: Browser, baseURL: string): Promise<BrowserContext> {
  const context = await browser.newContext({ baseURL, viewport: { width: 1360, height: 900 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseURL });
  return context;
}

export async function newTab(context: BrowserContext): Promise<Tab> {
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, problems };
}

export interface AxeFinding {
  screen: string;
  id: string;
  impact: string | null | undefined;
  nodes: number;
}

/** axe-core on the page as it is; the serious and critical findings, by screen. */
export async function axeFindings(page: Page, screen: string): Promise<{ blocking: AxeFinding[]; all: AxeFinding[] }> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const all = result.violations.map((v) => ({ screen, id: v.id, impact: v.impact, nodes: v.nodes.length }));
  return { blocking: all.filter((f) => f.impact === 'serious' || f.impact === 'critical'), all };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What the page keeps in the browser: both storages, every IndexedDB database, cookies. */
export async function browserStorage(context: BrowserContext, page: Page): Promise<string> {
  const inPage = await page.evaluate(async () => {
    const dump = (storage: Storage) => Object.fromEntries(Array.from({ length: storage.length }, (_, i) => [storage.key(i)!, storage.getItem(storage.key(i)!)]));
    const databases = indexedDB.databases ? await indexedDB.databases() : [];
    return { local: dump(localStorage), session: dump(sessionStorage), indexedDB: databases };
  });
  const cookies = await context.cookies();
  return JSON.stringify({ ...inPage, cookies });
}

/** Retries an assertion until it holds or `timeout` ms pass (pages update on their own time). */
export async function eventually(assertion: () => Promise<void> | void, timeout = 20_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** Waits for the element to be visible, then checks its text. */
export async function hasText(locator: Locator, text: string | RegExp, timeout = 20_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
  await eventually(async () => {
    const content = (await locator.first().textContent()) ?? '';
    if (typeof text === 'string') expect(content).toContain(text);
    else expect(content).toMatch(text);
  }, timeout);
}

export const visible = (locator: Locator, timeout = 20_000) => locator.first().waitFor({ state: 'visible', timeout });
