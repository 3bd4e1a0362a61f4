/**
 * Debian's Chromium driven by playwright-core (no downloaded browser). `launchChromium()`
 * returns undefined when Chromium is not installed: suites then skip with a loud warning
 * locally, and fail under CI=true, where the browser tests must run.
 *
 * Pages also record what would show up in the browser's devtools as a problem: script
 * errors, console errors and CSP violations (`watchPage`).
 */
import { existsSync } from 'node:fs';
import { type Browser, type ConsoleMessage, type Page, chromium } from 'playwright-core';

/** Where Debian's `chromium` package installs the browser; CHROMIUM_PATH overrides it. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM_PATH)) {
    if (process.env.CI === 'true') {
      throw new Error(`Chromium is required under CI but ${CHROMIUM_PATH} does not exist (install Debian's "chromium" package or set CHROMIUM_PATH)`);
    }
    console.warn(`\n!!! Chromium not found at ${CHROMIUM_PATH}: browser test cases are SKIPPED (they fail under CI=true) !!!\n`);
    return undefined;
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

export interface PageProblems {
  /** Uncaught exceptions thrown by page scripts. */
  pageErrors: string[];
  /** Console errors, each as "text (url)". */
  consoleErrors: string[];
  /** The subset of console messages that report a Content-Security-Policy violation. */
  cspViolations: string[];
}

const describeMessage = (m: ConsoleMessage) => `${m.text()} (${m.location().url || 'no url'})`;

/**
 * Records the problems a page reports. Browsers request /favicon.ico on their own; a 404
 * for it is not a problem of the page under test, so `ignoreFavicon` leaves it out.
 */
export function watchPage(page: Page, { ignoreFavicon = true } = {}): PageProblems {
  const problems: PageProblems = { pageErrors: [], consoleErrors: [], cspViolations: [] };
  page.on('pageerror', (err) => problems.pageErrors.push(err.message));
  page.on('console', (m) => {
    const text = m.text();
    if (/content security policy/i.test(text)) problems.cspViolations.push(describeMessage(m));
    if (m.type() !== 'error') return;
    if (ignoreFavicon && new URL(m.location().url || 'about:blank').pathname === '/favicon.ico') return;
    problems.consoleErrors.push(describeMessage(m));
  });
  return problems;
}
