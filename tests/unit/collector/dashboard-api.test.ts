// @vitest-environment node
/**
 * The dashboard's API (collector/dashboard-api.ts) and the store's rollups behind it (collector/sqlite-store.ts):
 * k-anonymity, sanctioned against shadow, filters, CSV.
 */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Dashboard } from '../../../lib/protocol/dashboard-api';
import { openSqliteStore } from '../../../collector/sqlite-store';
import { splitByMonth } from '../../../collector/sqlite/rollups';
import { DATABASE_FILE } from '../../../collector/sqlite/schema';
import type { CollectorStore } from '../../../collector/store';
import type { Report, ReportCount } from '../../../lib/protocol/report-schema';
import { runCli } from '../../support/cli';
import {
  fakeCount,
  fakeReport,
  postReport,
  send,
  signIn,
  testCollectors,
  today,
  type TestCollector,
} from '../../support/collector';
import { fakePolicy, fakeSanctioned, fakeTool } from '../../support/fake-policy';

let dir: string;
const collectors = testCollectors();
let store: CollectorStore | null = null;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daylight-dashboard-'));
});
afterEach(async () => {
  store?.close();
  store = null;
  await collectors.disposeAll();
  rmSync(dir, { recursive: true, force: true });
});

/** The UTC day `offset` days before today. */
const day = (offset: number): string => new Date(Date.now() - offset * 86_400_000).toISOString().slice(0, 10);

const visit = (tool: string, n = 1, offset = 1): ReportCount => fakeCount({ day: day(offset), tool, n });

/** `batches` reports of one group, each a batch of its own with these counts. */
const batchesOf = (batches: number, group: string | undefined, counts: ReportCount[], revision = 'r1'): Report[] =>
  Array.from({ length: batches }, () => fakeReport({ group, policyRevision: revision, counts }));

/** The policy of these tests: Corp Chat sanctioned, a tool of its own, one renamed, the bundled catalog's names. */
const POLICY = fakePolicy({
  revision: 'r1',
  catalog: 'bundled',
  sanctioned: [fakeSanctioned()],
  tools: [
    fakeTool({ id: 'talk', name: 'Talk Tool' }),
    fakeTool({ id: 'claude', name: 'Claude (EU)', match: ['claude.eu.example'] }),
  ],
});

interface Started {
  readonly server: TestCollector;
  readonly get: (query?: string) => Promise<Dashboard>;
  readonly answer: (path: string) => Promise<{ status: number; text: string; headers: Record<string, unknown> }>;
}

/** A collector holding `reports`, signed in; `get` answers GET /api/v1/dashboard. */
async function serve(reports: readonly Report[], options: { policy?: boolean; k?: number } = {}): Promise<Started> {
  let policyFile: string | undefined;
  if (options.policy === true) {
    policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
  }
  const server = await collectors.start({ policyFile, k: options.k });
  // In parallel: reports that arrive together are committed together (ingest-queue.ts), as in production.
  const answers = await Promise.all(reports.map((report) => postReport(server, report)));
  expect(answers.map((answer) => answer.status)).toEqual(reports.map(() => 202));
  const cookie = await signIn(server);
  const answer = (path: string) => send(`${server.url}${path}`, { headers: { cookie } });
  const get = async (query = '') => {
    const got = await answer(`/api/v1/dashboard${query}`);
    if (got.status !== 200) throw new Error(`GET /api/v1/dashboard${query}: ${got.status} ${got.text}`);
    return JSON.parse(got.text) as Dashboard;
  };
  return { server, get, answer };
}

const range = `?from=${day(6)}&to=${day(0)}`;
const dailyOf = (dashboard: Dashboard, offset: number) => dashboard.daily.find((row) => row.day === day(offset));
const rowOf = (dashboard: Dashboard, group: string | null) => dashboard.byGroup.find((row) => row.group === group);

describe('k-anonymity', () => {
  it('hides a group with 4 batches and shows it with 5', async () => {
    const counts = [visit('chatgpt', 3), fakeCount({ day: day(1), tool: 'chatgpt', event: 'warned', n: 2 })];
    const four = batchesOf(4, 'small', counts);
    const { server, get } = await serve(four);
    const hidden = await get(`${range}&group=small`);
    expect(hidden.byGroup).toEqual([
      {
        group: 'small',
        visits: null,
        sanctioned: null,
        shadow: null,
        warned: null,
        proceeded: 0,
        redirected: 0,
        blocked: 0,
        suppressed: true,
      },
    ]);
    expect(dailyOf(hidden, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: null });
    expect(hidden.topTools).toEqual([]);
    expect(hidden.outcomes).toBeNull();

    expect((await postReport(server, batchesOf(1, 'small', counts)[0])).status).toBe(202);
    const shown = await get(`${range}&group=small`);
    expect(shown.byGroup).toEqual([
      {
        group: 'small',
        visits: 15,
        sanctioned: 0,
        shadow: 15,
        warned: 10,
        proceeded: 0,
        redirected: 0,
        blocked: 0,
        suppressed: false,
      },
    ]);
    expect(dailyOf(shown, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: 15 });
    expect(shown.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 15 }]);
    expect(shown.outcomes).toEqual({ warned: 10, proceeded: 0, redirected: 0, blocked: 0 });
  });

  it('counts a batch once however many tools, events and days it holds', async () => {
    // 4 batches, each with 10 tools and 2 warnings on 3 days: 36 rows of 4 batches each, 144 added up.
    const tools = ['chatgpt', 'claude', 'gemini', 'perplexity', 'grok', 'poe', 'deepseek', 'mistral', 'pi', 'you'];
    const counts = [1, 2, 3].flatMap((offset) => [
      ...tools.map((tool) => visit(tool, 1, offset)),
      fakeCount({ day: day(offset), tool: 'chatgpt', event: 'warned' }),
      fakeCount({ day: day(offset), tool: 'claude', event: 'warned' }),
    ]);
    const { server, get } = await serve(batchesOf(4, 'wide', counts));
    const hidden = await get(`${range}&group=wide`);
    expect(rowOf(hidden, 'wide')).toMatchObject({ visits: null, warned: null, suppressed: true });
    expect(hidden.daily.map((row) => row.shadow)).toEqual([0, 0, 0, null, null, null, 0]);
    expect(hidden.topTools).toEqual([]);

    expect((await postReport(server, batchesOf(1, 'wide', counts)[0])).status).toBe(202);
    const shown = await get(`${range}&group=wide`);
    expect(rowOf(shown, 'wide')).toMatchObject({ visits: 150, warned: 30, suppressed: false });
    expect(shown.daily.map((row) => row.shadow)).toEqual([0, 0, 0, 50, 50, 50, 0]);
    expect(shown.topTools).toHaveLength(10);
  });

  it("adds up a day's batches over revisions and groups, never over days", async () => {
    const { get } = await serve([
      // 3 + 3 batches of one group on one day, under two revisions: 6 batches that day.
      ...batchesOf(3, 'split', [visit('chatgpt', 1, 1)], 'r1'),
      ...batchesOf(3, 'split', [visit('chatgpt', 1, 1)], 'r2'),
      // 4 batches of a group on each of two days: 8 in all, but never 5 on one day.
      ...batchesOf(4, 'steady', [visit('chatgpt', 1, 1)]),
      ...batchesOf(4, 'steady', [visit('chatgpt', 1, 2)]),
    ]);
    const split = await get(`${range}&group=split`);
    expect(rowOf(split, 'split')).toMatchObject({ visits: 6, suppressed: false });
    expect(dailyOf(split, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: 6 });
    expect(rowOf(await get(`${range}&group=steady`), 'steady')).toMatchObject({ visits: null, suppressed: true });
  });

  it('hides the totals of a fleet that never sent k batches on one day', async () => {
    const { get } = await serve([
      ...batchesOf(2, 'a', [visit('chatgpt', 1, 1), fakeCount({ day: day(1), event: 'warned' })]),
      ...batchesOf(2, 'b', [visit('chatgpt', 1, 1)]),
      ...batchesOf(4, 'a', [visit('chatgpt', 1, 2)]),
    ]);
    const small = await get(range);
    expect(small.daily.map((row) => row.shadow)).toEqual([0, 0, 0, 0, null, null, 0]);
    expect(small.topTools).toEqual([]);
    expect(small.outcomes).toBeNull();
    // Two groups of 3 on one day: each is hidden, the fleet's 6 batches are not.
    const { get: getLarger } = await serve([
      ...batchesOf(3, 'a', [visit('chatgpt', 1, 1)]),
      ...batchesOf(3, 'b', [visit('chatgpt', 1, 1)]),
    ]);
    const larger = await getLarger(range);
    expect(larger.byGroup.map((row) => row.visits)).toEqual([null, null]);
    expect(dailyOf(larger, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: 6 });
    expect(larger.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 6 }]);
  });

  it('takes k from the options', async () => {
    const { get } = await serve(batchesOf(2, 'pair', [visit('chatgpt')]), { k: 2 });
    const dashboard = await get(`${range}&group=pair`);
    expect(dashboard.k).toBe(2);
    expect(rowOf(dashboard, 'pair')).toMatchObject({ visits: 2, suppressed: false });
  });

  it('hides a second group when one alone is hidden, and outcomes when one group alone blocked', async () => {
    const { get } = await serve([
      ...batchesOf(20, 'large', [visit('chatgpt')]),
      ...batchesOf(10, 'medium', [visit('chatgpt')]),
      ...batchesOf(2, 'tiny', [visit('claude'), fakeCount({ day: day(1), tool: 'claude', event: 'blocked' })]),
    ]);
    const dashboard = await get(range);
    // The daily total (32) minus large and medium would give tiny back: medium, the smaller, is hidden too.
    expect(dashboard.byGroup.map((row) => [row.group, row.visits, row.blocked, row.suppressed])).toEqual([
      ['large', 20, 0, false],
      ['medium', null, 0, true],
      ['tiny', null, null, true],
    ]);
    // Totals over every group are shown; tiny's blocks are every block there is, so outcomes is hidden.
    expect(dailyOf(dashboard, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: 32 });
    expect(dashboard.outcomes).toBeNull();
    expect(dashboard.topTools.map((tool) => [tool.tool, tool.visits])).toEqual([
      ['chatgpt', 30],
      ['claude', 2],
    ]);
  });

  it('hides the totals when the one group with visits is hidden', async () => {
    // The group's warnings reach k, its visits do not.
    const { get } = await serve([
      ...batchesOf(3, 'solo', [visit('chatgpt')]),
      ...batchesOf(6, 'solo', [fakeCount({ day: day(1), event: 'warned' })]),
    ]);
    const dashboard = await get(range);
    expect(rowOf(dashboard, 'solo')).toMatchObject({ visits: null, warned: 6, suppressed: true });
    expect(dashboard.daily.every((row) => row.sanctioned === null && row.shadow === null)).toBe(true);
    expect(dashboard.topTools).toEqual([]);
    expect(dashboard.outcomes).toEqual({ warned: 6, proceeded: 0, redirected: 0, blocked: 0 });
  });

  it('hides a day on which the whole fleet sent fewer than k batches, and a second day with it', async () => {
    const { get } = await serve([
      ...batchesOf(20, 'large', [visit('chatgpt', 1, 1)]),
      ...batchesOf(10, 'large', [visit('chatgpt', 1, 2)]),
      ...batchesOf(3, 'large', [visit('chatgpt', 1, 3)]),
    ]);
    const dashboard = await get(range);
    expect(dashboard.daily.map((row) => row.shadow)).toEqual([0, 0, 0, null, null, 20, 0]);
    expect(rowOf(dashboard, 'large')).toMatchObject({ visits: 33, suppressed: false });
  });

  it('with a group, hides a second day and a second tool when one alone is hidden', async () => {
    const { get } = await serve([
      ...batchesOf(10, 'g', [visit('chatgpt', 1, 1)]),
      ...batchesOf(8, 'g', [visit('gemini', 1, 1)]),
      ...batchesOf(2, 'g', [visit('claude', 1, 2)]),
    ]);
    const dashboard = await get(`${range}&group=g`);
    expect(dashboard.daily.map((row) => row.shadow)).toEqual([0, 0, 0, 0, null, null, 0]);
    expect(rowOf(dashboard, 'g')).toMatchObject({ visits: 20, shadow: 20, suppressed: false });
    // Claude is hidden; Gemini goes too, or 20 minus ChatGPT and Gemini would be Claude's.
    expect(dashboard.topTools.map((tool) => tool.tool)).toEqual(['chatgpt']);
  });
});

describe('GET /api/v1/dashboard', () => {
  it('answers 401 without a session, like every admin API', async () => {
    const server = await collectors.start();
    for (const path of ['/api/v1/dashboard', '/api/v1/dashboard.csv?from=2026-01-01']) {
      const answer = await send(`${server.url}${path}`);
      expect(answer.status, path).toBe(401);
      expect(JSON.parse(answer.text), path).toEqual({ error: 'not signed in; sign in at /login' });
    }
  });

  it('splits visits into sanctioned and shadow by the policy, names tools, and lists the top 10', async () => {
    const others = ['claude', 'gemini', 'perplexity', 'grok', 'poe', 'deepseek', 'mistral', 'pi', 'you', 'meta-ai'];
    const reports = batchesOf(5, 'sales', [
      visit('corp-chat', 30),
      visit('chatgpt', 20),
      visit('talk', 12),
      visit('zz-unknown', 11),
      ...others.map((tool, i) => visit(tool, 10 - i)),
    ]);
    const { get } = await serve(reports, { policy: true });
    const dashboard = await get(range);
    expect(dashboard.sanctionedKnown).toBe(true);
    expect(dailyOf(dashboard, 1)).toEqual({ day: day(1), sanctioned: 150, shadow: 100 + 60 + 55 + 5 * 55 });
    expect(dashboard.topTools.slice(0, 5)).toEqual([
      { tool: 'corp-chat', name: 'Corp Chat', sanctioned: true, visits: 150 },
      { tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 100 },
      { tool: 'talk', name: 'Talk Tool', sanctioned: false, visits: 60 },
      { tool: 'zz-unknown', name: 'zz-unknown', sanctioned: false, visits: 55 },
      { tool: 'claude', name: 'Claude (EU)', sanctioned: false, visits: 50 },
    ]);
    expect(dashboard.topTools.map((tool) => tool.visits)).toEqual([150, 100, 60, 55, 50, 45, 40, 35, 30, 25]);
    expect(rowOf(dashboard, 'sales')).toMatchObject({ visits: 640, sanctioned: 150, shadow: 490 });
  });

  it('follows an edit of the policy: visits are counted again by the new sanctioned list', async () => {
    const { server, get } = await serve(batchesOf(5, 'sales', [visit('corp-chat', 3), visit('chatgpt', 1)]), {
      policy: true,
    });
    expect(dailyOf(await get(range), 1)).toEqual({ day: day(1), sanctioned: 15, shadow: 5 });
    const edited = JSON.stringify({ ...POLICY, revision: 'r2', sanctioned: [fakeSanctioned({ id: 'chatgpt' })] });
    // As editors save: a new file renamed over the old one.
    writeFileSync(join(dir, 'policy.json.tmp'), edited);
    renameSync(join(dir, 'policy.json.tmp'), join(dir, 'policy.json'));
    const deadline = Date.now() + 5000;
    while ((await send(`${server.url}/v1/policy`)).text !== edited) {
      if (Date.now() > deadline) throw new Error('the edit was not picked up');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const dashboard = await get(range);
    expect(dailyOf(dashboard, 1)).toEqual({ day: day(1), sanctioned: 5, shadow: 15 });
    expect(dashboard.topTools.map((tool) => [tool.tool, tool.sanctioned])).toEqual([
      ['corp-chat', false],
      ['chatgpt', true],
    ]);
    // Once at start (the store knew no policy), once after the edit.
    const rebuilt = server.logs.filter(
      (entry) => entry.msg === 'dashboard rollups rebuilt for a new list of sanctioned tools',
    );
    expect(rebuilt).toHaveLength(2);
  });

  it('without a policy counts every tool as shadow', async () => {
    const { get } = await serve(batchesOf(5, 'sales', [visit('corp-chat', 3), visit('chatgpt', 1)]));
    const dashboard = await get(range);
    expect(dashboard.sanctionedKnown).toBe(false);
    expect(dailyOf(dashboard, 1)).toEqual({ day: day(1), sanctioned: 0, shadow: 20 });
    expect(dashboard.topTools[0]).toEqual({ tool: 'corp-chat', name: 'corp-chat', sanctioned: false, visits: 15 });
  });

  it('adds up the outcomes of the range', async () => {
    const events = (offset: number) =>
      (['warned', 'proceeded', 'redirected', 'blocked', 'sensitive-paste'] as const).map((event, i) =>
        fakeCount({ day: day(offset), event, n: i + 1 }),
      );
    const { get } = await serve(batchesOf(5, 'ops', [...events(1), ...events(2), ...events(10)]));
    expect((await get(range)).outcomes).toEqual({ warned: 10, proceeded: 20, redirected: 30, blocked: 40 });
    expect(rowOf(await get(range), 'ops')).toMatchObject({ warned: 10, proceeded: 20, redirected: 30, blocked: 40 });
  });

  it('filters by group, revision and range; lists every group and revision', async () => {
    const { get } = await serve(
      [
        ...batchesOf(5, 'Team 10', [visit('chatgpt', 1, 5)], '2026-11-01.1'),
        ...batchesOf(5, 'Team 2', [visit('chatgpt', 2, 2)], '2026-11-20.1'),
        ...batchesOf(5, undefined, [visit('chatgpt', 4, 1)], '2026-11-20.1'),
        ...batchesOf(5, 'Team 2', [visit('chatgpt', 8, 40)], 'old'),
      ],
      { k: 5 },
    );
    const all = await get(range);
    expect(all.groups).toEqual(['Team 2', 'Team 10']);
    expect(all.revisions).toEqual(['2026-11-20.1', '2026-11-01.1', 'old']);
    expect(all.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['Team 2', 10],
      ['Team 10', 5],
      [null, 20],
    ]);
    const team2 = await get(`${range}&group=Team%202`);
    expect(team2.byGroup.map((row) => [row.group, row.visits])).toEqual([['Team 2', 10]]);
    expect(team2.daily.map((row) => row.shadow)).toEqual([0, 0, 0, 0, 10, 0, 0]);
    expect((await get(`${range}&group=`)).byGroup.map((row) => [row.group, row.visits])).toEqual([[null, 20]]);
    const revision = await get(`${range}&revision=2026-11-20.1`);
    expect(revision.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['Team 2', 10],
      [null, 20],
    ]);
    expect(revision.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 30 }]);
    const older = await get(`?from=${day(45)}&to=${day(40)}`);
    expect(older.daily).toHaveLength(6);
    expect(older.byGroup.map((row) => [row.group, row.visits])).toEqual([['Team 2', 40]]);
    expect(older.topTools[0]?.visits).toBe(40);
  });

  it('defaults to the 30 days ending today (UTC)', async () => {
    const { get } = await serve([]);
    const dashboard = await get();
    expect([dashboard.from, dashboard.to, dashboard.daily.length]).toEqual([day(29), today(), 30]);
    expect(dashboard.daily[0]).toEqual({ day: day(29), sanctioned: 0, shadow: 0 });
    expect((await get(`?to=${day(10)}`)).from).toBe(day(39));
    expect(dashboard).toMatchObject({ k: 5, groups: [], revisions: [], topTools: [], byGroup: [] });
    expect(dashboard.outcomes).toEqual({ warned: 0, proceeded: 0, redirected: 0, blocked: 0 });
  });

  it('refuses a bad parameter with 400 naming it', async () => {
    const { answer } = await serve([]);
    const cases: [string, string][] = [
      ['?tool=claude', 'tool: unknown parameter; the filters are from, to, group, revision'],
      ['?group=a&group=b', 'group: given more than once'],
      ['?from=2026-02-30', 'from: must be a calendar date written YYYY-MM-DD'],
      ['?to=today', 'to: must be a calendar date written YYYY-MM-DD'],
      ['?from=2026-11-26&to=2026-11-01', 'from: 2026-11-26 is after to (2026-11-01)'],
      ['?from=2025-01-01&to=2026-02-05', 'from: 2025-01-01 to 2026-02-05 is 401 days, over the 400 allowed'],
      [`?group=${'g'.repeat(65)}`, 'group: must be at most 64 characters'],
      ['?revision=', 'revision: must be 1 to 64 characters'],
    ];
    for (const [query, error] of cases) {
      for (const path of ['/api/v1/dashboard', '/api/v1/dashboard.csv']) {
        const got = await answer(`${path}${query}`);
        expect(got.status, path + query).toBe(400);
        expect(JSON.parse(got.text), path + query).toEqual({ error });
      }
    }
    expect((await answer('/api/v1/dashboard?from=2025-01-01&to=2026-02-04')).status).toBe(200);
  });
});

describe('GET /api/v1/dashboard.csv', () => {
  it('is the by-group table, a blank line and the daily table, hidden cells empty, formulas neutralised', async () => {
    const { answer } = await serve([
      ...batchesOf(6, '=HYPERLINK("x")', [visit('chatgpt', 2, 1)]),
      ...batchesOf(5, 'b', [visit('chatgpt', 1, 1)]),
      ...batchesOf(5, undefined, [visit('chatgpt', 1, 1)]),
      ...batchesOf(1, 'c', [visit('chatgpt', 1, 1)]),
    ]);
    const got = await answer(`/api/v1/dashboard.csv?from=${day(2)}&to=${day(0)}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="daylight-dashboard-${day(2)}-to-${day(0)}.csv"`,
    );
    expect(got.text).toBe(
      [
        'group,visits,sanctioned,shadow,warned,proceeded,redirected,blocked,suppressed',
        `"'=HYPERLINK(""x"")",12,0,12,0,0,0,0,false`,
        'b,,,,0,0,0,0,true',
        'c,,,,0,0,0,0,true',
        ',5,0,5,0,0,0,0,false',
        '',
        'day,sanctioned,shadow',
        `${day(2)},0,0`,
        `${day(1)},0,23`,
        `${day(0)},0,0`,
        '',
      ].join('\r\n'),
    );
  });
});

describe('the rollups', () => {
  const open = (): CollectorStore => (store = openSqliteStore(dir));

  it("add up a day's batches over groups and revisions, in one transaction or several", () => {
    const db = open();
    db.ingest([
      ...batchesOf(3, 'a', [visit('x')]),
      ...batchesOf(2, 'b', [visit('x')]),
      ...batchesOf(2, 'b', [visit('x')], 'r2'),
    ]);
    db.ingest(batchesOf(1, 'a', [visit('x')], 'r2'));
    const oneDay = { from: day(1), to: day(1) };
    expect(db.usageDays(oneDay)).toEqual([{ day: day(1), kind: 'shadow', n: 8, batches: 8 }]);
    expect(db.usageDays({ ...oneDay, group: 'b' })).toEqual([{ day: day(1), kind: 'shadow', n: 4, batches: 4 }]);
    expect(db.usageDays({ ...oneDay, revision: 'r2' })).toEqual([{ day: day(1), kind: 'shadow', n: 3, batches: 3 }]);
    expect(db.groupUsage({ from: day(6), to: day(0) })).toEqual([
      { group: 'a', kind: 'shadow', n: 4, batches: 4 },
      { group: 'b', kind: 'shadow', n: 4, batches: 4 },
    ]);
  });

  it('rebuild sanctioned and shadow when the list changes; other kinds keep their exact batches', () => {
    const db = open();
    db.ingest([
      ...batchesOf(3, 'g', [visit('a'), visit('b'), fakeCount({ day: day(1), tool: 'a', event: 'warned' })]),
      ...batchesOf(2, 'g', [visit('b'), fakeCount({ day: day(1), tool: 'b', event: 'warned' })]),
    ]);
    const kinds = () =>
      Object.fromEntries(db.usageDays({ from: day(1), to: day(1) }).map((row) => [row.kind, [row.n, row.batches]]));
    expect(kinds()).toEqual({ shadow: [8, 5], warned: [5, 5] });
    expect(db.setSanctionedTools(['a'])).toBe(true);
    expect(db.setSanctionedTools(['a', 'a'])).toBe(false);
    // Rebuilt from the counts: the most batches of one tool (b: 5), not the 5 exact ones of before.
    expect(kinds()).toEqual({ sanctioned: [3, 3], shadow: [5, 5], warned: [5, 5] });
    db.ingest(batchesOf(1, 'g', [visit('a'), visit('b')]));
    expect(kinds()).toEqual({ sanctioned: [4, 4], shadow: [6, 6], warned: [5, 5] });
    expect(db.groupUsage({ from: day(6), to: day(0) })).toEqual(
      expect.arrayContaining([{ group: 'g', kind: 'sanctioned', n: 4, batches: 4 }]),
    );
  });

  it('are built from the counts when a file of schema 1 is opened', () => {
    open().ingest([
      ...batchesOf(3, 'g', [visit('a', 2), visit('b'), fakeCount({ day: day(1), event: 'blocked' })], 'r1'),
      ...batchesOf(2, undefined, [visit('a', 1, 40)], 'r0'),
    ]);
    store?.close();
    const raw = new Database(join(dir, DATABASE_FILE));
    for (const table of ['usage_days', 'usage_months', 'visit_months', 'known_groups', 'known_revisions']) {
      raw.exec(`DROP TABLE ${table}`);
    }
    raw.pragma('user_version = 1');
    raw.close();
    const db = open();
    expect(db.dashboardLists()).toEqual({ groups: ['g'], revisions: ['r1', 'r0'] });
    expect(db.usageDays({ from: day(1), to: day(1) })).toEqual([
      // The most batches of one tool: a and b had the same 3, not 6.
      { day: day(1), kind: 'shadow', n: 9, batches: 3 },
      { day: day(1), kind: 'blocked', n: 3, batches: 3 },
    ]);
    expect(db.toolVisits({ from: day(60), to: day(0) })).toEqual([
      { tool: 'a', n: 8 },
      { tool: 'b', n: 3 },
    ]);
  });

  it('give the same sums and batches over whole months as over their days', () => {
    const db = open();
    const first = new Date(`${today().slice(0, 7)}-01T00:00:00Z`);
    const monthsAgo = (months: number, dayOfMonth: number) =>
      new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() - months, dayOfMonth)).toISOString().slice(0, 10);
    // Three whole months, a few days either side, and counts outside the range either side.
    const from = monthsAgo(5, 25);
    const to = monthsAgo(1, 15);
    const reports: Report[] = [];
    for (const [when, batches] of [
      [monthsAgo(5, 20), 9],
      [monthsAgo(5, 26), 3],
      [monthsAgo(4, 26), 7],
      [monthsAgo(3, 26), 2],
      [monthsAgo(2, 26), 6],
      [monthsAgo(1, 10), 4],
      [monthsAgo(1, 20), 9],
    ] as const) {
      reports.push(
        ...batchesOf(batches, 'g', [fakeCount({ day: when, tool: when < to ? 'chatgpt' : 'claude', n: 2 })]),
      );
    }
    db.ingest(reports);
    expect(splitByMonth(from, to)).toEqual({
      months: { from: monthsAgo(4, 1).slice(0, 7), to: monthsAgo(2, 1).slice(0, 7) },
      days: [
        { from, to: monthsAgo(4, 0) },
        { from: monthsAgo(1, 1), to },
      ],
    });
    const overMonths = db.groupUsage({ from, to });
    expect(overMonths).toEqual([{ group: 'g', kind: 'shadow', n: 44, batches: 7 }]);
    expect(db.groupUsage({ from, to, group: 'g' })).toEqual(overMonths);
    expect(db.toolVisits({ from, to })).toEqual([{ tool: 'chatgpt', n: 44 }]);
    // From the first counted day to the last, every month is whole.
    expect(db.groupUsage({ from: monthsAgo(5, 2), to: monthsAgo(1, 28) })).toEqual([
      { group: 'g', kind: 'shadow', n: 80, batches: 9 },
    ]);
    expect(db.toolVisits({ from: monthsAgo(5, 2), to: monthsAgo(1, 28) })).toEqual([
      { tool: 'chatgpt', n: 62 },
      { tool: 'claude', n: 18 },
    ]);
  });

  it('split a range into whole months and the days around them', () => {
    expect(splitByMonth('2026-03-05', '2026-03-20')).toEqual({
      months: null,
      days: [{ from: '2026-03-05', to: '2026-03-20' }],
    });
    expect(splitByMonth('2026-02-01', '2026-02-28')).toEqual({ months: { from: '2026-02', to: '2026-02' }, days: [] });
    expect(splitByMonth('2024-02-01', '2024-02-28')).toEqual({
      months: null,
      days: [{ from: '2024-02-01', to: '2024-02-28' }],
    });
    expect(splitByMonth('2025-11-27', '2026-11-26')).toEqual({
      months: { from: '2025-12', to: '2026-10' },
      days: [
        { from: '2025-11-27', to: '2025-11-30' },
        { from: '2026-11-01', to: '2026-11-26' },
      ],
    });
  });
});

describe('daylight serve --k', () => {
  it('refuses a k that is not a whole number from 1', () => {
    const run = runCli(['serve', '--k', '0', '--data', dir]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--k must be a whole number from 1 to 1000000, not "0"');
  });
});
