// @vitest-environment node
/**
 * The dashboard's API (collector/dashboard-api.ts) and the store's rollups behind it (collector/sqlite-store.ts):
 * k-anonymity, sanctioned against shadow, filters, CSV.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  unmarked,
  postReport,
  getCounts,
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

/** Reports of one group with these counts, each the first upload of a device of its own: `people` people. */
const peopleOf = (people: number, group: string | undefined, counts: ReportCount[], revision = 'r1'): Report[] =>
  Array.from({ length: people }, () => fakeReport({ group, policyRevision: revision, counts }));

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

/**
 * A collector holding `reports`, signed in; `get` answers GET /api/v1/dashboard. With the policy, it serves
 * revision r1, after the revisions `served` (reports of others would be refused).
 */
async function serve(
  reports: readonly Report[],
  options: { policy?: boolean; k?: number; served?: readonly string[] } = {},
): Promise<Started> {
  let policyFile: string | undefined;
  if (options.policy === true) {
    policyFile = join(dir, 'policy.json');
    writeFileSync(policyFile, JSON.stringify(POLICY));
  }
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const earlier = openSqliteStore(dataDir);
  for (const revision of options.served ?? []) earlier.addServedRevision(revision);
  earlier.close();
  const server = await collectors.start({ policyFile, k: options.k, dataDir });
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
const everyDayOfRange = [6, 5, 4, 3, 2, 1, 0];
/** A day of the dashboard with nothing released. */
const nothingOn = (offset: number) => ({
  day: day(offset),
  sanctioned: null,
  shadow: null,
  sanctionedPeople: null,
  shadowPeople: null,
});

describe('k-anonymity', () => {
  it('hides a group of 4 people and shows it with 5', async () => {
    const counts = [visit('chatgpt', 3), fakeCount({ day: day(1), tool: 'chatgpt', event: 'warned', n: 2 })];
    const four = peopleOf(4, 'small', counts);
    const { server, get } = await serve(four);
    const hidden = await get(`${range}&group=small`);
    expect(hidden.byGroup).toEqual([
      {
        group: 'small',
        visits: null,
        sanctioned: null,
        shadow: null,
        sanctionedPeople: null,
        shadowPeople: null,
        warned: null,
        proceeded: null,
        redirected: null,
        blocked: null,
        suppressed: true,
      },
    ]);
    expect(dailyOf(hidden, 1)).toEqual(nothingOn(1));
    expect(hidden.topTools).toEqual([]);
    expect(hidden.outcomes).toBeNull();

    expect((await postReport(server, peopleOf(1, 'small', counts)[0])).status).toBe(202);
    const shown = await get(`${range}&group=small`);
    // A kind with no released cell is null, never 0: a 0 beside a shown count would tell "none" from "few".
    expect(shown.byGroup).toEqual([
      {
        group: 'small',
        visits: 15,
        sanctioned: null,
        shadow: 15,
        sanctionedPeople: null,
        shadowPeople: 5,
        warned: 10,
        proceeded: null,
        redirected: null,
        blocked: null,
        suppressed: false,
      },
    ]);
    expect(dailyOf(shown, 1)).toEqual({ ...nothingOn(1), shadow: 15, shadowPeople: 5 });
    expect(shown.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 15 }]);
    expect(shown.outcomes).toEqual({ warned: 10, proceeded: 0, redirected: 0, blocked: 0 });
  });

  it('keeps a one-person group hidden however many times its one browser uploads (Send now, hourly uploads)', async () => {
    const counts = [visit('deepseek', 7), fakeCount({ day: day(1), tool: 'deepseek', event: 'warned' })];
    const first = fakeReport({ group: 'legal', policyRevision: 'r1', counts });
    // Five more uploads of the same browser that day: it marked its day in the first one.
    const later = Array.from({ length: 5 }, () =>
      unmarked(fakeReport({ group: 'legal', policyRevision: 'r1', counts: [visit('deepseek', 1)] })),
    );
    const { get } = await serve([first, ...later]);
    for (const query of [`${range}&group=legal`, range]) {
      const dashboard = await get(query);
      expect(rowOf(dashboard, 'legal')).toMatchObject({ visits: null, warned: null, suppressed: true });
      expect(dashboard.daily).toEqual(everyDayOfRange.map(nothingOn));
      expect(dashboard.topTools).toEqual([]);
    }
  });

  it('does not show a hidden group, nor its value, to someone who pads it with batches or fewer than k-1 marks', async () => {
    const real = fakeReport({ group: 'legal', policyRevision: 'r1', counts: [visit('deepseek', 7)] });
    // k - 1 = 4 padding batches of one visit each, as anyone with the reporting token can send: no marks.
    const padding = Array.from({ length: 4 }, () =>
      unmarked(fakeReport({ group: 'legal', policyRevision: 'r1', counts: [visit('deepseek', 1)] })),
    );
    // And k - 2 = 3 batches with forged people marks: 4 people in all, one short of k.
    const forged = peopleOf(3, 'legal', [visit('deepseek', 1)]);
    const { server, get } = await serve([real, ...padding, ...forged]);
    for (const query of [`${range}&group=legal`, range]) {
      const dashboard = await get(query);
      expect(rowOf(dashboard, 'legal')).toMatchObject({ visits: null, shadow: null, suppressed: true });
      expect(dashboard.daily).toEqual(everyDayOfRange.map(nothingOn));
      expect(dashboard.topTools).toEqual([]);
    }
    // What remains (docs/spec/report-protocol.md "People"): k - 1 forged marks make it k, and the value shows.
    expect((await postReport(server, peopleOf(1, 'legal', [visit('deepseek', 1)])[0] as Report)).status).toBe(202);
    expect(rowOf(await get(`${range}&group=legal`), 'legal')).toMatchObject({ visits: 15, suppressed: false });
  });

  it('keeps counts without marks (a device that changed group that day) out of reach of the fleet total', async () => {
    const { get } = await serve([
      ...peopleOf(5, 'eng', [visit('chatgpt', 4)]),
      // Marked under its old group in the morning; its later counts, under legal, carry no mark.
      unmarked(fakeReport({ group: 'legal', policyRevision: 'r1', counts: [visit('deepseek', 7)] })),
    ]);
    const dashboard = await get(range);
    expect(dailyOf(dashboard, 1)).toMatchObject({ shadow: 27, shadowPeople: 5 });
    // The day's 27 less eng's 20 would be legal's 7: eng is withheld with it.
    expect(dashboard.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['eng', null],
      ['legal', null],
    ]);
  });

  it('counts a person once however many tools, events and days they report', async () => {
    // 4 people, each with 10 tools and 2 warnings on 3 days: 36 rows of 4 people each, 144 added up.
    const tools = ['chatgpt', 'claude', 'gemini', 'perplexity', 'grok', 'poe', 'deepseek', 'mistral', 'pi', 'you'];
    const counts = [1, 2, 3].flatMap((offset) => [
      ...tools.map((tool) => visit(tool, 1, offset)),
      fakeCount({ day: day(offset), tool: 'chatgpt', event: 'warned' }),
      fakeCount({ day: day(offset), tool: 'claude', event: 'warned' }),
    ]);
    const { server, get } = await serve(peopleOf(4, 'wide', counts));
    const hidden = await get(`${range}&group=wide`);
    expect(rowOf(hidden, 'wide')).toMatchObject({ visits: null, warned: null, suppressed: true });
    expect(hidden.daily.map((row) => row.shadow)).toEqual([null, null, null, null, null, null, null]);
    expect(hidden.topTools).toEqual([]);

    expect((await postReport(server, peopleOf(1, 'wide', counts)[0])).status).toBe(202);
    const shown = await get(`${range}&group=wide`);
    expect(rowOf(shown, 'wide')).toMatchObject({ visits: 150, warned: 30, shadowPeople: 5, suppressed: false });
    expect(shown.daily.map((row) => row.shadow)).toEqual([null, null, null, 50, 50, 50, null]);
    expect(shown.daily.map((row) => row.shadowPeople)).toEqual([null, null, null, 5, 5, 5, null]);
    expect(shown.topTools).toHaveLength(10);
  });

  it("adds up a day's people over revisions and groups, never over days", async () => {
    const { get } = await serve([
      // 3 + 3 people of one group on one day, under two revisions: 6 people that day.
      ...peopleOf(3, 'split', [visit('chatgpt', 1, 1)], 'r1'),
      ...peopleOf(3, 'split', [visit('chatgpt', 1, 1)], 'r2'),
      // 4 people of a group on each of two days: 8 marks in all, but never 5 on one day.
      ...peopleOf(4, 'steady', [visit('chatgpt', 1, 1)]),
      ...peopleOf(4, 'steady', [visit('chatgpt', 1, 3)]),
      // 9 people on one day and 6 on the next: the busiest day's 9, not 15.
      ...peopleOf(9, 'busy', [visit('claude', 1, 1)]),
      ...peopleOf(6, 'busy', [visit('claude', 1, 2)]),
    ]);
    // Each revision's cell of split has 3 people: withheld, and so is the day.
    const split = await get(`${range}&group=split`);
    expect(rowOf(split, 'split')).toMatchObject({ visits: null, suppressed: true });
    expect(rowOf(await get(`${range}&group=steady`), 'steady')).toMatchObject({ visits: null, suppressed: true });
    expect(rowOf(await get(`${range}&group=busy`), 'busy')).toMatchObject({ visits: 15, shadowPeople: 9 });
    // Over every group, the fleet's cell of day 1 under r1 has 3 + 4 + 9 people; under r2, 3.
    const fleet = await get(range);
    expect(dailyOf(fleet, 1)).toMatchObject({ shadow: 16, shadowPeople: 16 });
    expect(dailyOf(fleet, 2)).toMatchObject({ shadow: 6, shadowPeople: 6 });
    expect(dailyOf(fleet, 3)).toEqual(nothingOn(3));
  });

  it('leaves out of every number a day on which fewer than k people of the whole fleet reported', async () => {
    const { get } = await serve([
      ...peopleOf(2, 'a', [visit('chatgpt', 1, 1), fakeCount({ day: day(1), event: 'warned' })]),
      ...peopleOf(2, 'b', [visit('chatgpt', 1, 1)]),
      ...peopleOf(4, 'a', [visit('chatgpt', 1, 2)]),
      ...peopleOf(20, 'large', [visit('chatgpt', 1, 3)]),
    ]);
    const dashboard = await get(range);
    expect(dashboard.daily.map((row) => row.shadow)).toEqual([null, null, null, 20, null, null, null]);
    expect(dashboard.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 20 }]);
    expect(dashboard.outcomes).toBeNull();
    expect(dashboard.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['a', null],
      ['b', null],
      ['large', 20],
    ]);
    // Two groups of 3 on one day: each is withheld, the fleet's 6 people are not.
    const { get: getLarger } = await serve([
      ...peopleOf(3, 'a', [visit('chatgpt', 1, 1)]),
      ...peopleOf(3, 'b', [visit('chatgpt', 1, 1)]),
    ]);
    const larger = await getLarger(range);
    expect(larger.byGroup.map((row) => row.visits)).toEqual([null, null]);
    expect(dailyOf(larger, 1)).toEqual({ ...nothingOn(1), shadow: 6, shadowPeople: 6 });
    expect(larger.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 6 }]);
  });

  it('counts refused reports by the field at fault, keeps nothing else of them, and shows them to the admin', async () => {
    const server = await collectors.start({ reportingToken: 'fleet-token' });
    const withToken = { authorization: 'Bearer fleet-token' };
    const old = fakeReport({ counts: [fakeCount({ day: '2020-01-01' })] });
    for (let i = 0; i < 3; i++) {
      expect(
        (await postReport(server, fakeReport({ counts: [old.counts[0], fakeCount()] as ReportCount[] }), withToken))
          .status,
      ).toBe(400);
    }
    expect(
      (await postReport(server, { ...fakeReport(), people: [{ day: today(), kind: 'warned' }] }, withToken)).status,
    ).toBe(400);
    expect((await postReport(server, 'not json', withToken)).status).toBe(400);
    expect((await postReport(server, fakeReport())).status).toBe(401);
    expect((await postReport(server, 'x'.repeat(70_000), withToken)).status).toBe(413);
    expect((await postReport(server, fakeReport(), withToken)).status).toBe(202);
    const cookie = await signIn(server);
    const answer = await send(`${server.url}/api/v1/dashboard`, { headers: { cookie } });
    expect((JSON.parse(answer.text) as Dashboard).refused).toEqual([
      { reason: 'counts[].day', n: 3 },
      { reason: '(report)', n: 1 },
      { reason: '(reporting token)', n: 1 },
      { reason: '(size)', n: 1 },
      { reason: 'people[].kind', n: 1 },
    ]);
  });

  it('hides in the counts API and its CSV what the dashboard hides, a second group with a small one', async () => {
    const { server, get } = await serve([
      // A one-person group: its 7 visits must not come back from any API.
      fakeReport({ group: 'legal', policyRevision: 'r1', counts: [visit('deepseek', 7)] }),
      // Six people in sales: shown alone, but the day's total minus support's would then be legal's 7.
      ...peopleOf(6, 'sales', [visit('chatgpt', 2), fakeCount({ day: day(1), tool: 'claude', event: 'warned' })]),
      ...peopleOf(8, 'support', [visit('chatgpt', 1)]),
    ]);
    const cookie = await signIn(server);
    const rows = await getCounts(server, cookie);
    expect(rows.map((row) => [row.group, row.tool, row.event, row.n, row.people])).toEqual([
      ['support', 'chatgpt', 'visit', 8, 8],
      ['sales', 'claude', 'warned', 6, 6],
    ]);
    for (const query of ['?group=legal', '?tool=deepseek', '?group=sales&event=visit']) {
      expect(await getCounts(server, cookie, query), query).toEqual([]);
    }
    const csv = await send(`${server.url}/api/v1/counts.csv`, { headers: { cookie } });
    expect(csv.text.trimEnd().split('\r\n')).toEqual([
      '"day","tool","event","group","policyRevision","sanctioned","n","people"',
      `"${day(1)}","chatgpt","visit","support","r1","false",8,8`,
      `"${day(1)}","claude","warned","sales","r1","false",6,6`,
    ]);
    const dashboard = await get(range);
    expect(dashboard.byGroup.map((row) => [row.group, row.visits, row.warned])).toEqual([
      ['legal', null, null],
      ['sales', null, 6],
      ['support', 8, null],
    ]);
    // The fleet's day is 15 people: shown whole, and less support's 8 it is the 7 people of legal and sales.
    expect(dailyOf(dashboard, 1)).toMatchObject({ shadow: 27, shadowPeople: 15 });
  });

  it('takes k from the options', async () => {
    const { get } = await serve(peopleOf(2, 'pair', [visit('chatgpt')]), { k: 2 });
    const dashboard = await get(`${range}&group=pair`);
    expect(dashboard.k).toBe(2);
    expect(rowOf(dashboard, 'pair')).toMatchObject({ visits: 2, suppressed: false });
  });

  it('hides a second group when one alone is hidden, and outcomes when one group alone blocked', async () => {
    const { get } = await serve([
      ...peopleOf(20, 'large', [visit('chatgpt')]),
      ...peopleOf(10, 'medium', [visit('chatgpt')]),
      ...peopleOf(2, 'tiny', [visit('claude'), fakeCount({ day: day(1), tool: 'claude', event: 'blocked' })]),
    ]);
    const dashboard = await get(range);
    // The daily total (32) minus large and medium would give tiny back: medium, the smaller, is hidden too.
    expect(dashboard.byGroup.map((row) => [row.group, row.visits, row.blocked, row.suppressed])).toEqual([
      ['large', 20, null, false],
      ['medium', null, null, true],
      ['tiny', null, null, true],
    ]);
    // Totals over every group are shown; tiny's blocks are every block there is, so outcomes is hidden.
    expect(dailyOf(dashboard, 1)).toMatchObject({ sanctioned: null, shadow: 32, shadowPeople: 32 });
    expect(dashboard.outcomes).toBeNull();
    expect(dashboard.topTools.map((tool) => [tool.tool, tool.visits])).toEqual([
      ['chatgpt', 30],
      ['claude', 2],
    ]);
    // With a group, the same cells: medium's own view shows nothing either.
    expect((await get(`${range}&group=medium`)).daily).toEqual(everyDayOfRange.map(nothingOn));
  });

  it('shows a group the kinds it has k people for, and the fleet its outcomes, when its visits are hidden', async () => {
    // The group's warnings reach k, its visits do not.
    const { get } = await serve([
      ...peopleOf(3, 'solo', [visit('chatgpt')]),
      ...peopleOf(6, 'solo', [fakeCount({ day: day(1), event: 'warned' })]),
    ]);
    const dashboard = await get(range);
    expect(rowOf(dashboard, 'solo')).toMatchObject({ visits: null, warned: 6, suppressed: false });
    expect(dashboard.daily).toEqual(everyDayOfRange.map(nothingOn));
    expect(dashboard.topTools).toEqual([]);
    expect(dashboard.outcomes).toEqual({ warned: 6, proceeded: 0, redirected: 0, blocked: 0 });
  });

  it('with a group, leaves a day of fewer than k of its people out of its totals and its tools', async () => {
    const { get } = await serve([
      ...peopleOf(10, 'g', [visit('chatgpt', 1, 1)]),
      ...peopleOf(8, 'g', [visit('gemini', 1, 1)]),
      ...peopleOf(2, 'g', [visit('claude', 1, 2)]),
    ]);
    const dashboard = await get(`${range}&group=g`);
    expect(dashboard.daily.map((row) => row.shadow)).toEqual([null, null, null, null, null, 18, null]);
    expect(rowOf(dashboard, 'g')).toMatchObject({ visits: 18, shadow: 18, shadowPeople: 18, suppressed: false });
    expect(dashboard.topTools.map((tool) => [tool.tool, tool.visits])).toEqual([
      ['chatgpt', 10],
      ['gemini', 8],
    ]);
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

  it('splits visits into sanctioned and shadow as the devices said, names tools by the policy, lists the top 10', async () => {
    const others = ['claude', 'gemini', 'perplexity', 'grok', 'poe', 'deepseek', 'mistral', 'pi', 'you', 'meta-ai'];
    const reports = peopleOf(5, 'sales', [
      { ...visit('corp-chat', 30), sanctioned: true },
      visit('chatgpt', 20),
      visit('talk', 12),
      visit('zz-unknown', 11),
      ...others.map((tool, i) => visit(tool, 10 - i)),
    ]);
    const { get } = await serve(reports, { policy: true });
    const dashboard = await get(range);
    expect(dailyOf(dashboard, 1)).toEqual({
      day: day(1),
      sanctioned: 150,
      shadow: 100 + 60 + 55 + 5 * 55,
      sanctionedPeople: 5,
      shadowPeople: 5,
    });
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

  it("takes approved or not from the devices, never from the collector's own policy file", async () => {
    // The collector's file sanctions corp-chat; the fleet's policy sanctions chatgpt instead.
    const { get } = await serve(
      peopleOf(5, 'sales', [visit('corp-chat', 3), { ...visit('chatgpt', 1), sanctioned: true }]),
      { policy: true },
    );
    const dashboard = await get(range);
    expect(dailyOf(dashboard, 1)).toMatchObject({ sanctioned: 5, shadow: 15 });
    expect(dashboard.topTools.map((tool) => [tool.tool, tool.sanctioned])).toEqual([
      ['corp-chat', false],
      ['chatgpt', true],
    ]);
  });

  it("says where the devices disagree with the collector's policy file under its own revision, and only there", async () => {
    // The file (revision r1) sanctions corp-chat. Under r1, the fleet counted chatgpt as sanctioned and corp-chat
    // not; under r0 it may have differed, which is no disagreement.
    const { get } = await serve(
      [
        ...peopleOf(5, 'sales', [visit('corp-chat', 3), { ...visit('chatgpt', 1), sanctioned: true }], 'r1'),
        ...peopleOf(5, 'sales', [visit('claude', 1), { ...visit('talk', 1), sanctioned: true }], 'r0'),
      ],
      { policy: true, served: ['r0'] },
    );
    expect((await get(range)).disagreements).toEqual([
      { tool: 'chatgpt', name: 'ChatGPT', devices: true },
      { tool: 'corp-chat', name: 'Corp Chat', devices: false },
    ]);
    const agreeing = await serve(peopleOf(5, 'sales', [{ ...visit('corp-chat', 3), sanctioned: true }], 'r1'), {
      policy: true,
    });
    expect((await agreeing.get(range)).disagreements).toEqual([]);
    const noPolicy = await serve(peopleOf(5, 'sales', [{ ...visit('chatgpt', 3), sanctioned: true }], 'r1'));
    expect((await noPolicy.get(range)).disagreements).toEqual([]);
  });

  it('without a policy, still splits as the devices said, and names tools from the bundled catalog', async () => {
    const { get } = await serve(
      peopleOf(5, 'sales', [{ ...visit('corp-chat', 3), sanctioned: true }, visit('chatgpt', 1)]),
    );
    const dashboard = await get(range);
    expect(dailyOf(dashboard, 1)).toMatchObject({ sanctioned: 15, shadow: 5 });
    expect(dashboard.topTools).toEqual([
      { tool: 'corp-chat', name: 'corp-chat', sanctioned: true, visits: 15 },
      { tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 5 },
    ]);
  });

  it('adds up the outcomes of the range', async () => {
    const events = (offset: number) =>
      (['warned', 'proceeded', 'redirected', 'blocked', 'sensitive-paste'] as const).map((event, i) =>
        fakeCount({ day: day(offset), event, n: i + 1 }),
      );
    const { get } = await serve(peopleOf(5, 'ops', [...events(1), ...events(2), ...events(10)]));
    expect((await get(range)).outcomes).toEqual({ warned: 10, proceeded: 20, redirected: 30, blocked: 40 });
    expect(rowOf(await get(range), 'ops')).toMatchObject({ warned: 10, proceeded: 20, redirected: 30, blocked: 40 });
  });

  it('filters by group, revision and range; lists every group and revision', async () => {
    const { get } = await serve(
      [
        ...peopleOf(5, 'Team 10', [visit('chatgpt', 1, 5)], '2026-11-01.1'),
        ...peopleOf(5, 'Team 2', [visit('chatgpt', 2, 2)], '2026-11-20.1'),
        ...peopleOf(5, undefined, [visit('chatgpt', 4, 1)], '2026-11-20.1'),
        ...peopleOf(5, 'Team 2', [visit('chatgpt', 8, 40)], 'old'),
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
    expect(team2.daily.map((row) => row.shadow)).toEqual([null, null, null, null, 10, null, null]);
    expect((await get(`${range}&group=`)).byGroup.map((row) => [row.group, row.visits])).toEqual([[null, 20]]);
    const revision = await get(`${range}&revision=2026-11-20.1`);
    // Every known group has a row, whether or not anything of it is shown.
    expect(revision.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['Team 2', 10],
      ['Team 10', null],
      [null, 20],
    ]);
    expect(revision.topTools).toEqual([{ tool: 'chatgpt', name: 'ChatGPT', sanctioned: false, visits: 30 }]);
    const older = await get(`?from=${day(45)}&to=${day(40)}`);
    expect(older.daily).toHaveLength(6);
    expect(older.byGroup.map((row) => [row.group, row.visits])).toEqual([
      ['Team 2', 40],
      ['Team 10', null],
    ]);
    expect(older.topTools[0]?.visits).toBe(40);
  });

  it('defaults to the 30 days ending today (UTC)', async () => {
    const { get } = await serve([]);
    const dashboard = await get();
    expect([dashboard.from, dashboard.to, dashboard.daily.length]).toEqual([day(29), today(), 30]);
    expect(dashboard.daily[0]).toEqual(nothingOn(29));
    expect((await get(`?to=${day(10)}`)).from).toBe(day(39));
    expect(dashboard).toMatchObject({ k: 5, groups: [], revisions: [], topTools: [], byGroup: [] });
    expect(dashboard.outcomes).toBeNull();
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
      ...peopleOf(6, '=HYPERLINK("x")', [visit('chatgpt', 2, 1)]),
      ...peopleOf(5, 'b', [visit('chatgpt', 1, 1)]),
      ...peopleOf(5, undefined, [visit('chatgpt', 1, 1)]),
      ...peopleOf(1, 'c', [visit('chatgpt', 1, 1)]),
    ]);
    const got = await answer(`/api/v1/dashboard.csv?from=${day(2)}&to=${day(0)}`);
    expect(got.status).toBe(200);
    expect(got.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(got.headers['content-disposition']).toBe(
      `attachment; filename="daylight-dashboard-${day(2)}-to-${day(0)}.csv"`,
    );
    expect(got.text).toBe(
      [
        '"group","visits","sanctioned","shadow","sanctionedPeople","shadowPeople","warned","proceeded",' +
          '"redirected","blocked","suppressed"',
        `"'=HYPERLINK(""x"")",12,,12,,6,,,,,"false"`,
        '"b",5,,5,,5,,,,,"false"',
        '"c",,,,,,,,,,"true"',
        '',
        '"day","sanctioned","shadow","sanctionedPeople","shadowPeople"',
        `"${day(2)}",,,,`,
        `"${day(1)}",,23,,17`,
        `"${day(0)}",,,,`,
        '',
      ].join('\r\n'),
    );
  });
});

describe('the rollups', () => {
  const open = (): CollectorStore => (store = openSqliteStore(dir));
  /** The store's cells of a day (days ago) or a range, as [group, revision, kind, n, people], sorted. */
  const cellsOf = (db: CollectorStore, from: number | string, to = from) =>
    db
      .usageCells(typeof from === 'number' ? day(from) : from, typeof to === 'number' ? day(to) : to)
      .map((cell) => [cell.group, cell.revision, cell.kind, cell.n, cell.people])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

  it("add up a day's people over groups and revisions, in one transaction or several", () => {
    const db = open();
    db.ingest([
      ...peopleOf(3, 'a', [visit('x')]),
      ...peopleOf(2, 'b', [visit('x')]),
      ...peopleOf(2, 'b', [visit('x')], 'r2'),
    ]);
    db.ingest(peopleOf(1, 'a', [visit('x')], 'r2'));
    expect(cellsOf(db, 1)).toEqual([
      ['a', 'r1', 'shadow', 3, 3],
      ['a', 'r2', 'shadow', 1, 1],
      ['b', 'r1', 'shadow', 2, 2],
      ['b', 'r2', 'shadow', 2, 2],
    ]);
    expect(cellsOf(db, 2)).toEqual([]);
  });

  it('count one person for the many uploads of one device, and their visits all', () => {
    const db = open();
    const first = fakeReport({ group: 'solo', counts: [visit('chatgpt', 2), visit('claude', 1)] });
    const later = Array.from({ length: 23 }, () =>
      unmarked(fakeReport({ group: 'solo', counts: [visit('chatgpt', 1), visit('claude', 1)] })),
    );
    db.ingest([first, ...later]);
    expect(cellsOf(db, 1)).toEqual([['solo', '2026-11-26.1', 'shadow', 49, 1]]);
    // With k = 1, the one person's cell is shown: every visit of every upload is in it.
    db.makeShownDays(1);
    expect(db.shownToolVisits({ from: day(1), to: day(1), group: 'solo' }, 1)).toEqual(
      expect.arrayContaining([
        { tool: 'chatgpt', sanctioned: false, n: 25 },
        { tool: 'claude', sanctioned: false, n: 24 },
      ]),
    );
  });

  it("split visits as the devices' policy said, one tool both ways under two revisions", () => {
    const db = open();
    const chat = (sanctioned: boolean, n: number): ReportCount => ({ ...visit('chat', n), sanctioned });
    db.ingest([
      ...peopleOf(3, 'g', [chat(false, 2), fakeCount({ day: day(1), tool: 'chat', event: 'warned' })], 'r1'),
      ...peopleOf(2, 'g', [chat(true, 5)], 'r2'),
    ]);
    expect(cellsOf(db, 1)).toEqual([
      ['g', 'r1', 'shadow', 6, 3],
      ['g', 'r1', 'warned', 3, 3],
      ['g', 'r2', 'sanctioned', 10, 2],
    ]);
    db.makeShownDays(1);
    expect(db.shownToolVisits({ from: day(6), to: day(0) }, 1)).toEqual(
      expect.arrayContaining([
        { tool: 'chat', sanctioned: true, n: 10 },
        { tool: 'chat', sanctioned: false, n: 6 },
      ]),
    );
    expect(
      db.shownCounts({ event: 'visit' }, 1).map((row) => [row.policyRevision, row.sanctioned, row.n, row.people]),
    ).toEqual([
      ['r1', false, 6, 3],
      ['r2', true, 10, 2],
    ]);
  });

  it('bring a file of schema 3 to 4: its month rollups go, and what is shown is made again', () => {
    open().ingest(peopleOf(5, 'g', [visit('chatgpt', 2)]));
    store?.close();
    store = null;
    // What schema 3 had beside: month rollups, rows of every revision, and none of the shown tables.
    const raw = new Database(join(dir, DATABASE_FILE));
    raw.exec(`
      CREATE TABLE usage_months (month TEXT, grp TEXT, policy_revision TEXT, shadow_n INTEGER);
      CREATE TEMP TABLE every AS SELECT * FROM usage_days; UPDATE every SET policy_revision = '';
      INSERT INTO usage_days SELECT * FROM every;
      DROP TABLE shown_days; DROP TABLE shown_months; DROP TABLE shown_fleet; DROP TABLE withheld_fleet;
      DROP TABLE dirty_days; DELETE FROM settings;
    `);
    raw.pragma('user_version = 3');
    raw.close();
    const db = open();
    expect(cellsOf(db, 1)).toEqual([['g', 'r1', 'shadow', 10, 5]]);
    const tables = new Database(join(dir, DATABASE_FILE), { readonly: true });
    expect(tables.prepare("SELECT name FROM sqlite_master WHERE name = 'usage_months'").all()).toEqual([]);
    tables.close();
    db.makeShownDays(5);
    expect(db.shownGroups({ from: day(6), to: day(0) }, 5)).toEqual([{ group: 'g', kind: 'shadow', n: 10, people: 5 }]);
  });

  it('keep the counts of a file of schema 2, split as its policy said, with no people, and build the rollups', () => {
    store?.close();
    store = null;
    const raw = new Database(join(dir, DATABASE_FILE));
    raw.exec(`
      CREATE TABLE counts (day TEXT NOT NULL, tool TEXT NOT NULL, event TEXT NOT NULL, grp TEXT NOT NULL,
        policy_revision TEXT NOT NULL, n INTEGER NOT NULL, batches INTEGER NOT NULL,
        PRIMARY KEY (day, tool, event, grp, policy_revision)) WITHOUT ROWID;
      CREATE INDEX counts_by_group ON counts (grp, day);
      CREATE TABLE settings (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
      CREATE TABLE usage_days (day TEXT, grp TEXT, policy_revision TEXT, sanctioned_n INTEGER, sanctioned_batches INTEGER);
      CREATE TABLE visit_months (month TEXT, policy_revision TEXT, tool TEXT, n INTEGER);
    `);
    const insert = raw.prepare('INSERT INTO counts VALUES (?, ?, ?, ?, ?, ?, ?)');
    insert.run(day(1), 'corp-chat', 'visit', 'g', 'r1', 7, 5);
    insert.run(day(1), 'chatgpt', 'visit', 'g', 'r1', 3, 5);
    insert.run(day(1), 'chatgpt', 'warned', '', 'r0', 2, 2);
    raw.prepare('INSERT INTO settings VALUES (?, ?)').run('sanctioned-tools', Buffer.from('["corp-chat"]'));
    raw.pragma('user_version = 2');
    raw.close();
    const db = open();
    const migrated = new Database(join(dir, DATABASE_FILE), { readonly: true });
    expect(
      migrated.prepare('SELECT tool, event, grp, sanctioned, n, people FROM counts ORDER BY tool, event').raw().all(),
    ).toEqual([
      ['chatgpt', 'visit', 'g', 0, 3, 0],
      ['chatgpt', 'warned', '', 0, 2, 0],
      ['corp-chat', 'visit', 'g', 1, 7, 0],
    ]);
    migrated.close();
    // No people: nothing is shown, even with k = 1.
    db.makeShownDays(1);
    expect(db.shownCounts({}, 1)).toEqual([]);
    expect(db.dashboardLists()).toEqual({ groups: ['g'], revisions: ['r1', 'r0'] });
    expect(cellsOf(db, 1)).toEqual([
      ['g', 'r1', 'sanctioned', 7, 0],
      ['g', 'r1', 'shadow', 3, 0],
      [null, 'r0', 'warned', 2, 0],
    ]);
    db.ingest(peopleOf(1, 'g', [visit('chatgpt', 1)], 'r1'));
    expect(cellsOf(db, 1)).toEqual([
      ['g', 'r1', 'sanctioned', 7, 0],
      ['g', 'r1', 'shadow', 4, 1],
      [null, 'r0', 'warned', 2, 0],
    ]);
  });

  it('give the same visits over whole months as over their days', () => {
    const db = open();
    const first = new Date(`${today().slice(0, 7)}-01T00:00:00Z`);
    const monthsAgo = (months: number, dayOfMonth: number) =>
      new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() - months, dayOfMonth)).toISOString().slice(0, 10);
    // Three whole months, a few days either side, and counts outside the range either side.
    const from = monthsAgo(5, 25);
    const to = monthsAgo(1, 15);
    const reports: Report[] = [];
    for (const [when, people] of [
      [monthsAgo(5, 20), 9],
      [monthsAgo(5, 26), 3],
      [monthsAgo(4, 26), 7],
      [monthsAgo(3, 26), 2],
      [monthsAgo(2, 26), 6],
      [monthsAgo(1, 10), 4],
      [monthsAgo(1, 20), 9],
    ] as const) {
      reports.push(...peopleOf(people, 'g', [fakeCount({ day: when, tool: when < to ? 'chatgpt' : 'claude', n: 2 })]));
    }
    db.ingest(reports);
    expect(splitByMonth(from, to)).toEqual({
      months: { from: monthsAgo(4, 1).slice(0, 7), to: monthsAgo(2, 1).slice(0, 7) },
      days: [
        { from, to: monthsAgo(4, 0) },
        { from: monthsAgo(1, 1), to },
      ],
    });
    db.makeShownDays(1);
    expect(db.shownToolVisits({ from, to }, 1)).toEqual([{ tool: 'chatgpt', sanctioned: false, n: 44 }]);
    expect(cellsOf(db, from, to).reduce((sum, cell) => sum + (cell[3] as number), 0)).toBe(44);
    // From the first counted day to the last, every month is whole.
    expect(db.shownToolVisits({ from: monthsAgo(5, 2), to: monthsAgo(1, 28) }, 1)).toEqual([
      { tool: 'chatgpt', sanctioned: false, n: 62 },
      { tool: 'claude', sanctioned: false, n: 18 },
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
