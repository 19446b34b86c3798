/**
 * The admin dashboard end to end: a collector in-process with a policy, reports from three groups
 * (one of them too small to show), and Chromium signing in by typing the token. The charts are drawn
 * with the numbers ingested, the filters change them and live in the URL, the small group's cells
 * are not shown, the CSV is what is shown, axe finds nothing in light or dark, the keyboard reaches
 * everything, and the page's CSP holds. The tests run in order on one browser page.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReportCount } from '../../lib/protocol/report-schema';
import { openSqliteStore } from '../../collector/sqlite-store';
import { fakeReport, postReport, startTestCollector, type TestCollector } from '../support/collector';
import { axeViolations } from './support/axe';
import { launchPlainChromium } from './support/browser';

const TOKEN = 'e2e-dashboard-admin-token-0123';
const OLD = '2026-11-01.1';
const NEW = '2026-11-26.1';

const POLICY = {
  schemaVersion: 1,
  revision: NEW,
  organization: { name: 'Globex' },
  sanctioned: [{ id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/' }],
  rules: [
    { tool: 'claude', action: 'warn' },
    { tool: 'perplexity', action: 'redirect', redirectTo: 'globex-chat' },
    { tool: 'deepseek', action: 'block' },
  ],
};

const dayBefore = (days: number): string => new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);
const D1 = dayBefore(1);
const D2 = dayBefore(2);

/** Globex Chat is the policy's sanctioned tool: the devices say so of its visits. */
const count = (day: string, tool: string, event: ReportCount['event'], n: number): ReportCount => ({
  day,
  tool,
  event,
  n,
  ...(tool === 'globex-chat' && { sanctioned: true }),
});

/**
 * Each batch the first of a person's day (tests/support/collector.ts fakeReport marks it so).
 * Engineering: 6 people on D1 under the new revision; Sales EMEA: 5 on D2 under the old one; Legal
 * and Finance: 2 and 3 on D1, fewer than k = 5, so their cells are withheld. Two small groups, 5 people
 * together, so that no cell of the large ones is withheld with them (collector/release.ts: what a fleet
 * cell withholds is none or k people). Over all groups:
 *   D1: approved 30, other 18 (Engineering) + 14 (Legal) + 12 (Finance) = 44;  D2: approved 15, other 20;
 *   total 45 / 64 / 109.  ChatGPT 12 + 20 + 14 + 12 = 58, Globex Chat 30 + 15 = 45, Claude 6.
 *   warned 12 + 2 + 3 = 17, continued 6, redirected 6, blocked 5.
 */
const BATCHES = [
  ...Array.from({ length: 6 }, () => ({
    group: 'Engineering',
    policyRevision: NEW,
    counts: [
      count(D1, 'globex-chat', 'visit', 5),
      count(D1, 'chatgpt', 'visit', 2),
      count(D1, 'claude', 'warned', 2),
      count(D1, 'claude', 'proceeded', 1),
      count(D1, 'claude', 'visit', 1),
      count(D1, 'perplexity', 'redirected', 1),
    ],
  })),
  ...Array.from({ length: 5 }, () => ({
    group: 'Sales EMEA',
    policyRevision: OLD,
    counts: [
      count(D2, 'globex-chat', 'visit', 3),
      count(D2, 'chatgpt', 'visit', 4),
      count(D2, 'deepseek', 'blocked', 1),
    ],
  })),
  ...Array.from({ length: 2 }, () => ({
    group: 'Legal',
    policyRevision: NEW,
    counts: [count(D1, 'chatgpt', 'visit', 7), count(D1, 'claude', 'warned', 1)],
  })),
  ...Array.from({ length: 3 }, () => ({
    group: 'Finance',
    policyRevision: NEW,
    counts: [count(D1, 'chatgpt', 'visit', 4), count(D1, 'claude', 'warned', 1)],
  })),
];

let dir: string;
let collector: TestCollector;
let browser: Browser;
let page: Page;
/** Console errors and CSP violations of the page, over the whole file: there must be none. */
const problems: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'daylight-dashboard-e2e-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  // The collector served the old revision before the new one: Sales EMEA still counts under it.
  const dataDir = join(dir, 'data');
  const before = openSqliteStore(dataDir);
  before.addServedRevision(OLD);
  before.close();
  collector = await startTestCollector({ adminToken: TOKEN, policyFile, dataDir });
  for (const batch of BATCHES) {
    const answer = await postReport(collector, fakeReport(batch));
    if (answer.status !== 202) throw new Error(`report refused: ${answer.status} ${answer.text}`);
  }
  browser = await launchPlainChromium();
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-GB' });
  page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  // Through the DevTools protocol, which the page's CSP does not govern: every violation is recorded.
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await collector?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A table's body as rows of cell texts (th and td), as a sighted reader sees them (hidden-text spans left out). */
function tableRows(selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows) =>
    rows.map((row) =>
      [...row.querySelectorAll('th, td')].map((cell) => {
        const copy = cell.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('.visually-hidden').forEach((hidden) => hidden.remove());
        return copy.textContent?.trim() ?? '';
      }),
    ),
  );
}

/** The rows of a chart card's table as label → cells. */
async function tableOf(card: string): Promise<Map<string, string[]>> {
  return new Map((await tableRows(`[data-testid=${card}]`)).map(([label = '', ...cells]) => [label, cells]));
}

/** Waits for the page to show what its URL asks for (the app marks main with the query it shows). */
async function settled(): Promise<void> {
  const query = new URL(page.url()).search.slice(1);
  await page.locator(`main[aria-busy=false][data-shown="${query}"]`).waitFor();
}

/** How many pixels of a chart's canvas are drawn (not transparent). */
function drawnPixels(testId: string): Promise<number> {
  return page.locator(`canvas[data-testid=${testId}]`).evaluate((canvas: HTMLCanvasElement) => {
    const context = canvas.getContext('2d');
    if (context === null) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let drawn = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) drawn++;
    return drawn;
  });
}

const formatDay = (day: string): string =>
  new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' }).format(
    new Date(`${day}T00:00:00Z`),
  );

describe('signing in', () => {
  it('the dashboard is behind the sign-in; typing the token opens it', async () => {
    await page.goto(`${collector.url}/?group=Engineering`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('#token').pressSequentially(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${collector.url}/`);
    await settled();
    expect(await page.title()).toBe('Dashboard · Daylight collector');
    expect(await page.locator('h1').textContent()).toBe('Daylight collector AI tool usage');
  });
});

describe('all groups, the last 30 days', () => {
  it('headline numbers: the approved share, other visits, nudges', async () => {
    expect(await page.locator('[data-testid=figure-share] .value').textContent()).toBe('41%');
    expect(await page.locator('[data-testid=figure-share] .detail').textContent()).toBe('45 of 109 visits');
    expect(await page.locator('[data-testid=figure-shadow] .value').textContent()).toBe('64');
    expect(await page.locator('[data-testid=figure-continued] .detail').textContent()).toBe('6 of 17 warnings');
    expect(await page.locator('[data-testid=figure-steered] .value').textContent()).toBe('11');
  });

  it('every chart is drawn, and its table holds the numbers ingested', async () => {
    for (const chart of ['daily-chart', 'tools-chart', 'outcomes-chart']) {
      expect(await drawnPixels(chart), chart).toBeGreaterThan(1000);
    }
    const daily = await tableOf('daily');
    // Visits, then people: 6 on approved tools and 11 on others on D1.
    expect(daily.get(formatDay(D1))).toEqual(['30', '44', '74', '6', '11']);
    expect(daily.get(formatDay(D2))).toEqual(['15', '20', '35', '5', '5']);
    expect(daily.size).toBe(30);
    const tools = await tableOf('tools');
    expect(tools.get('ChatGPT')).toEqual(['No', '58']);
    expect(tools.get('Globex Chat')).toEqual(['Yes', '45']);
    expect(tools.get('Claude')).toEqual(['No', '6']);
    const outcomes = await tableOf('outcomes');
    expect([...outcomes.values()]).toEqual([['17'], ['6'], ['6'], ['5']]);
    expect(await page.locator('[data-testid=daily] .summary').textContent()).toContain(
      '109 visits to AI tools, 41% of them on approved tools.',
    );
  });

  it("per group: the small groups' counts are not shown and explained, never shown as 0", async () => {
    const groups = new Map((await tableRows('[data-testid=groups]')).map(([name = '', ...cells]) => [name, cells]));
    expect([...groups.keys()]).toEqual(['Engineering', 'Finance', 'Legal', 'Sales EMEA']);
    // Visits, approved, other, share, people on approved and on other tools, then the four outcomes.
    expect(groups.get('Engineering')).toEqual(['48', '30', '18', '63%', '6', '6', '12', '6', '6', 'not shown']);
    expect(groups.get('Sales EMEA')).toEqual([
      '35',
      '15',
      '20',
      '43%',
      '5',
      '5',
      'not shown',
      'not shown',
      'not shown',
      '5',
    ]);
    // Fewer than 5 people: nothing, not even whether they blocked or were warned, and never a 0.
    for (const small of ['Legal', 'Finance']) {
      expect(groups.get(small), small).toEqual(Array.from({ length: 10 }, () => 'not shown'));
    }
    expect(await page.locator('[data-testid=hidden-note]').textContent()).toContain(
      'Every number leaves out what fewer than 5 people of a group did on a day',
    );
  });

  it('"Show as table" puts the table in place of the chart, and back', async () => {
    const card = page.locator('[data-testid=tools]');
    await card.getByRole('button', { name: 'Show as table' }).click();
    expect(await card.locator('canvas').count()).toBe(0);
    expect(await card.getByRole('table').isVisible()).toBe(true);
    await card.getByRole('button', { name: 'Show as chart' }).click();
    expect(await card.locator('canvas').count()).toBe(1);
  });

  it('the header, filters, headline and charts fit a 1366 × 768 laptop screen without scrolling', async () => {
    // Of a 768 px screen, the browser's tabs, address bar and the system's task bar leave about 620 px.
    const height = 620;
    expect(await page.evaluate(() => scrollY)).toBe(0);
    for (const selector of [
      'header',
      'form[role=search]',
      'a[data-testid=csv-link]',
      '.figures',
      '[data-testid=daily]',
      '[data-testid=tools]',
      '[data-testid=outcomes]',
    ]) {
      const box = await page.locator(selector).boundingBox();
      expect(box, selector).not.toBeNull();
      expect(box!.y + box!.height, selector).toBeLessThanOrEqual(height);
      expect(box!.x + box!.width, selector).toBeLessThanOrEqual(1366);
    }
  });
});

describe('filters', () => {
  it('a group: only its numbers, in the URL; a small group: nothing shown', async () => {
    await page.locator('#filter-group').selectOption('Engineering');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\?group=Engineering$/);
    await settled();
    expect((await tableOf('daily')).get(formatDay(D1))).toEqual(['30', '18', '48', '6', '6']);
    expect((await tableOf('daily')).get(formatDay(D2))).toEqual(Array.from({ length: 5 }, () => 'not shown'));
    expect(await page.locator('[data-testid=showing]').textContent()).toContain('Engineering');

    await page.locator('#filter-group').selectOption('Legal');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(/\?group=Legal$/);
    await settled();
    expect((await tableOf('daily')).get(formatDay(D1))).toEqual(Array.from({ length: 5 }, () => 'not shown'));
    expect([...(await tableOf('outcomes')).values()]).toEqual([
      ['not shown'],
      ['not shown'],
      ['not shown'],
      ['not shown'],
    ]);
    expect(await page.locator('[data-testid=figure-share] .value').textContent()).toBe('Not shown');
    const nothing = 'Not shown: no day of this period had 5 people behind it, if it had anything at all.';
    expect(await page.locator('[data-testid=outcomes] .summary').textContent()).toBe(nothing);
    expect(await page.locator('[data-testid=tools] .summary').textContent()).toBe(nothing);
    expect(await page.locator('canvas[data-testid=outcomes-chart]').count()).toBe(0);
  });

  it('back goes to the view before', async () => {
    await page.goBack();
    await page.waitForURL(/\?group=Engineering$/);
    await settled();
    expect(await page.locator('#filter-group').inputValue()).toBe('=Engineering');
    expect((await tableOf('daily')).get(formatDay(D1))).toEqual(['30', '18', '48', '6', '6']);
  });

  it('a date range: only those days', async () => {
    await page.locator('#filter-group').selectOption('');
    await page.locator('#filter-from').fill(D1);
    await page.locator('#filter-to').fill(D1);
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.waitForURL(`${collector.url}/?from=${D1}&to=${D1}`);
    await settled();
    const daily = await tableOf('daily');
    expect([...daily.keys()]).toEqual([formatDay(D1)]);
    expect(daily.get(formatDay(D1))).toEqual(['30', '44', '74', '6', '11']);
    expect(await page.locator('[data-testid=figure-shadow] .value').textContent()).toBe('44');
  });

  it('a policy revision: only the reports made under it', async () => {
    await page.goto(`${collector.url}/?revision=${OLD}`);
    await settled();
    expect(await page.locator('#filter-revision').inputValue()).toBe(OLD);
    const daily = await tableOf('daily');
    expect(daily.get(formatDay(D2))).toEqual(['15', '20', '35', '5', '5']);
    expect(daily.get(formatDay(D1))).toEqual(Array.from({ length: 5 }, () => 'not shown'));
    // Every group keeps its row; only Sales EMEA reported under the old revision.
    const groups = new Map((await tableRows('[data-testid=groups]')).map(([name = '', ...cells]) => [name, cells]));
    expect([...groups.keys()]).toEqual(['Engineering', 'Finance', 'Legal', 'Sales EMEA']);
    expect(groups.get('Sales EMEA')?.slice(0, 3)).toEqual(['35', '15', '20']);
    expect(groups.get('Engineering')?.slice(0, 3)).toEqual(['not shown', 'not shown', 'not shown']);
  });

  it('the CSV link carries the filters and downloads the numbers shown', async () => {
    await page.goto(`${collector.url}/?group=Engineering&revision=${NEW}`);
    await settled();
    const link = page.locator('a[data-testid=csv-link]');
    const href = new URL((await link.getAttribute('href'))!, collector.url);
    expect(href.pathname).toBe('/api/v1/dashboard.csv');
    expect(Object.fromEntries(href.searchParams)).toEqual({
      from: dayBefore(29),
      to: dayBefore(0),
      group: 'Engineering',
      revision: NEW,
    });
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv).toContain('Engineering');
    expect(csv).toContain(D1);
    // The group's row, then its days: Engineering's 48 visits (30 approved, 18 other) on D1.
    expect(csv).toContain('"Engineering",48,30,18,6,6,12,');
    expect(csv).toContain(`"${D1}",30,18,6,6`);
    expect(csv).not.toContain('Legal');
    expect(csv).not.toContain('Sales EMEA');
  });
});

describe('by keyboard', () => {
  it('Tab reaches every control in order, each with a visible focus; arrows pick a group, Enter applies', async () => {
    await page.goto(`${collector.url}/`);
    await settled();
    const stops: string[] = [];
    // A date input takes several Tabs (day, month, year, calendar): each control is listed once.
    for (let presses = 0; presses < 20 && stops.length < 8; presses++) {
      await page.keyboard.press('Tab');
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement | null;
        return {
          name: element?.id || element?.textContent?.trim() || '',
          outline: element === null ? 'none' : getComputedStyle(element).outlineStyle,
        };
      });
      if (stops.at(-1) === focused.name) continue;
      // Reaching a control shows where the focus is (the date field's own calendar button draws its own).
      expect(focused.outline, focused.name).not.toBe('none');
      stops.push(focused.name);
    }
    expect(stops).toEqual([
      'Sign out',
      'filter-from',
      'filter-to',
      'filter-group',
      'filter-revision',
      'Apply',
      'Reset',
      'Download CSV: the numbers on this page, for a spreadsheet',
    ]);
    await page.locator('#filter-group').focus();
    await page.keyboard.press('ArrowDown');
    expect(await page.locator('#filter-group').inputValue()).toBe('=Engineering');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Apply');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?group=Engineering$/);
    await settled();
    expect((await tableOf('daily')).get(formatDay(D1))).toEqual(['30', '18', '48', '6', '6']);
  });

  it('Enter in a date field applies the filters too', async () => {
    await page.locator('#filter-from').fill(D2);
    await page.locator('#filter-from').press('Enter');
    await page.waitForURL(`${collector.url}/?from=${D2}&group=Engineering`);
    await settled();
    expect([...(await tableOf('daily')).keys()][0]).toBe(formatDay(D2));
  });
});

describe('accessibility', () => {
  for (const colorScheme of ['light', 'dark'] as const) {
    it(`axe-core finds no violation in ${colorScheme} mode, also with a chart shown as its table`, async () => {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${collector.url}/`);
      await settled();
      await page.locator('canvas[data-testid=daily-chart]').waitFor();
      expect(await page.locator('canvas[data-testid=daily-chart]').getAttribute('data-scheme')).toBe(colorScheme);
      expect(await axeViolations(page)).toEqual([]);
      // And with a table shown in place of its chart.
      await page.locator('[data-testid=daily]').getByRole('button', { name: 'Show as table' }).click();
      expect(await axeViolations(page)).toEqual([]);
    });
  }
});

describe('the page', () => {
  it('has loaded no script or style that its CSP refused, and logged no error', () => {
    expect(problems).toEqual([]);
  });

  it('Sign out ends the session', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${collector.url}/login`);
    await page.goto(`${collector.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
