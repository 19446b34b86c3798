/**
 * Dashboard part of `npm run bench` (bundled by bench/run.mjs with better-sqlite3 left external): how long
 * GET /api/v1/dashboard takes over a year of a large fleet.
 *
 *   node bench/.data/dashboard-bench.js
 *
 * The data: about a million rows of `counts` (365 days ending today × 100 groups × about 27 (tool, event) cells a
 * group a day; monthly policy revisions, the old and the new one both reporting in the first week of a month; a
 * tenth of the groups too small for k), written straight into the store's file in one transaction of prepared
 * INSERTs, then rolled up by the store's own rebuildRollups, as an upgrade from an older schema would. A cell's
 * people are at most the group's devices; visits to the policy's sanctioned tools are marked sanctioned, as the
 * devices would.
 *
 * The collector then runs in this process with the microsoft-365 example policy (three sanctioned tools); after
 * a sign-in, each view is requested over loopback, round-robin so that drift hits all views alike, 5 warm-up
 * rounds then ROUNDS measured (the SQLite page cache and the policy are warm, as on an admin's second click).
 *
 * Progress goes to stderr, the results as one JSON line to stdout. Exits non-zero when an answer is not 200 or its
 * numbers disagree with the same sums taken straight from `counts`: a fast wrong answer is not a result. What
 * collector/release.ts withholds makes a shown number smaller than that sum, never larger; over every group of a
 * fleet this large, no day of a revision is withheld, so there the two are equal.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { Dashboard } from '../lib/protocol/dashboard-api';
import { startCollector } from '../collector/server';
import { openSqliteStore } from '../collector/sqlite-store';
import { rebuildRollups } from '../collector/sqlite/rollups';
import { DATABASE_FILE } from '../collector/sqlite/schema';
import { BUNDLED_CATALOG } from '../lib/policy/bundled';
import { deferred, longestGap, postUntil, wait, type AckRun } from './ack-gaps';
import { mulberry32 } from './urls';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const POLICY = path.join(ROOT, 'policies', 'examples', 'microsoft-365.json');
const SANCTIONED = ['contoso-copilot-chat', 'contoso-github-copilot', 'contoso-designer'];
const DAYS = 365;
const WARMUP_ROUNDS = 5;
const ROUNDS = 60;
const ADMIN_TOKEN = 'bench-admin-token-not-secret';
const DAY_MS = 86_400_000;
/** The example policy's revision: the only one its collector takes reports of. */
const POLICY_REVISION = '2026-11-26.1';
/** Connections posting reports while the shown rows are made. */
const LOAD_CONNECTIONS = 4;
/** Days the retention part deletes. */
const PRUNED_DAYS = 30;

const progress = (message: string) => process.stderr.write(`[dashboard-bench] ${message}\n`);
const dayAt = (time: number): string => new Date(time).toISOString().slice(0, 10);

const DEPARTMENTS = [
  'Sales',
  'Marketing',
  'Engineering',
  'Finance',
  'Legal',
  'Support',
  'HR',
  'Ops',
  'Product',
  'Data',
];
const REGIONS = ['EMEA', 'Americas', 'APAC', 'DACH', 'Nordics', 'UK', 'France', 'Iberia', 'Benelux', 'India'];

interface Group {
  readonly name: string;
  /** Devices reporting on a weekday. */
  readonly devices: number;
  readonly tools: readonly string[];
}

function fleet(rng: () => number): Group[] {
  const catalog = BUNDLED_CATALOG.tools.slice(0, 200).map((tool) => tool.id);
  return DEPARTMENTS.flatMap((department) =>
    REGIONS.map((region) => {
      const tools = new Set(SANCTIONED);
      // Popular tools first, as in collector-bench.ts.
      while (tools.size < 40) tools.add(catalog[Math.floor(rng() ** 3 * catalog.length)] as string);
      // One group in ten is a team of 2 to 4: the dashboard hides it.
      const devices = rng() < 0.1 ? 2 + Math.floor(rng() * 3) : 8 + Math.floor(rng() * 113);
      return { name: `${department} ${region}`, devices, tools: [...tools] };
    }),
  );
}

/** Writes the counts straight into a new store's file and builds its rollups; how many rows, how long each took. */
function generate(dataDir: string, today: number): { rows: number; writeMs: number; rollupMs: number } {
  openSqliteStore(dataDir).close();
  const db = new Database(path.join(dataDir, DATABASE_FILE));
  const rng = mulberry32(17);
  const groups = fleet(rng);
  const insert = db.prepare<[string, string, string, string, string, number, number, number]>(
    'INSERT INTO counts (day, tool, event, grp, policy_revision, sanctioned, n, people) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  let rows = 0;
  const started = performance.now();
  db.transaction(() => {
    for (let offset = DAYS - 1; offset >= 0; offset--) {
      const time = today - offset * DAY_MS;
      const day = dayAt(time);
      const weekend = [0, 6].includes(new Date(time).getUTCDay());
      const revision = `${day.slice(0, 7)}-01.1`;
      // In a month's first week, devices that have not fetched the new policy yet still report the old revision.
      const previous =
        day.slice(8) <= '07' ? `${dayAt(Date.parse(`${day.slice(0, 7)}-01`) - DAY_MS).slice(0, 7)}-01.1` : null;
      for (const group of groups) {
        const devices = weekend ? Math.max(1, Math.round(group.devices / 4)) : group.devices;
        const cell = (tool: string, event: string, share: number) => {
          const revisions = previous !== null && rng() < 0.5 ? [revision, previous] : [revision];
          for (const policyRevision of revisions) {
            const people = 1 + Math.floor(rng() * share * devices);
            const sanctioned = event === 'visit' && SANCTIONED.includes(tool) ? 1 : 0;
            const n = people * (1 + Math.floor(rng() * 8));
            insert.run(day, tool, event, group.name, policyRevision, sanctioned, n, people);
            rows++;
          }
        };
        for (const tool of group.tools) {
          if (rng() >= (weekend ? 0.25 : 0.62)) continue;
          cell(tool, 'visit', 0.6);
          if (SANCTIONED.includes(tool)) continue;
          if (rng() < 0.1) cell(tool, 'warned', 0.2);
          if (rng() < 0.05) cell(tool, 'proceeded', 0.1);
          if (rng() < 0.02) cell(tool, 'blocked', 0.1);
          if (rng() < 0.02) cell(tool, 'redirected', 0.1);
        }
      }
    }
  })();
  const writeMs = performance.now() - started;
  const rollupStarted = performance.now();
  db.transaction(() => rebuildRollups(db))();
  const rollupMs = performance.now() - rollupStarted;
  db.close();
  return { rows, writeMs, rollupMs };
}

async function signIn(url: string): Promise<string> {
  const answer = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
    redirect: 'manual',
  });
  const cookie = answer.headers.get('set-cookie');
  if (answer.status !== 303 || cookie === null) throw new Error(`sign-in failed: ${answer.status}`);
  return cookie.split(';')[0] as string;
}

/** A shown count against the sum of its counts: never more; equal, unless some of it may be withheld. */
const disagrees = (shown: number | null, sum: number, whole: boolean): boolean =>
  whole ? (shown ?? 0) !== sum : shown !== null && shown > sum;

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

const dataDir = mkdtempSync(path.join(tmpdir(), 'daylight-dashboard-bench-'));
try {
  const now = Date.now();
  const today = dayAt(now);
  progress(`writing ${DAYS} days × 100 groups of counts`);
  const generated = generate(dataDir, Date.parse(today));
  progress(
    `${generated.rows.toLocaleString('en-US')} rows in ${Math.round(generated.writeMs)} ms; ` +
      `rollups built in ${Math.round(generated.rollupMs)} ms`,
  );

  // The answers are checked against sums taken straight from the counts, without the rollups.
  const check = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  const yearAgo = dayAt(Date.parse(today) - (DAYS - 1) * DAY_MS);
  const monthAgo = dayAt(Date.parse(today) - 29 * DAY_MS);
  // A mid-size group, and a revision of the middle of the year.
  const group = check
    .prepare('SELECT grp FROM counts WHERE day = ? GROUP BY grp ORDER BY MAX(people) LIMIT 1 OFFSET 50')
    .pluck()
    .get(today) as string;
  const revision = `${dayAt(Date.parse(today) - 180 * DAY_MS).slice(0, 7)}-01.1`;
  // The reports posted under load: of tomorrow, a day no view shows, by devices of a known group already marked.
  const load = { day: dayAt(Date.parse(today) + DAY_MS), revision: POLICY_REVISION, group };
  const current = `${today.slice(0, 7)}-01.1`;

  /** From the collector's start until every day's shown rows were made, and the longest day, as it logs them. */
  let shownMadeMs = 0;
  let longestDayMs = 0;
  const collector = await startCollector({
    port: 0,
    dataDir,
    policyFile: POLICY,
    adminToken: ADMIN_TOKEN,
    reportingToken: null,
    log: (entry) => {
      if (entry.msg !== 'shown rows made') return;
      shownMadeMs = entry.ms as number;
      longestDayMs = entry.longestDayMs as number;
    },
  });
  const problems: string[] = [];
  let measured = {};
  let firstAnswerMs = 0;
  let rebuildLoad: AckRun = { acks: [], refused: 0 };
  let steadyLoad: AckRun = { acks: [], refused: 0 };
  const views: { name: string; query: string; from: string; group?: string; revision?: string }[] = [
    { name: '30 days (the default view)', query: '', from: monthAgo },
    { name: '365 days', query: `?from=${yearAgo}&to=${today}`, from: yearAgo },
    { name: '30 days, one group', query: `?group=${encodeURIComponent(group)}`, from: monthAgo, group },
    {
      name: '365 days, one group',
      query: `?from=${yearAgo}&to=${today}&group=${encodeURIComponent(group)}`,
      from: yearAgo,
      group,
    },
    { name: '30 days, one revision', query: `?revision=${current}`, from: monthAgo, revision: current },
    {
      name: '365 days, one revision',
      query: `?from=${yearAgo}&to=${today}&revision=${revision}`,
      from: yearAgo,
      revision,
    },
    {
      name: '365 days, one group and revision',
      query: `?from=${yearAgo}&to=${today}&group=${encodeURIComponent(group)}&revision=${revision}`,
      from: yearAgo,
      group,
      revision,
    },
  ];
  try {
    const cookie = await signIn(collector.url);
    const get = async (pathAndQuery: string): Promise<{ ms: number; text: string }> => {
      const started = performance.now();
      const answer = await fetch(`${collector.url}${pathAndQuery}`, { headers: { cookie } });
      const text = await answer.text();
      const ms = performance.now() - started;
      if (answer.status !== 200) throw new Error(`GET ${pathAndQuery}: ${answer.status} ${text}`);
      return { ms, text };
    };

    // Every day's shown rows are made (collector/sqlite/shown.ts), as after an upgrade or a new k, while reports keep
    // arriving: the longest time between two acknowledgements, then the same with nothing to make.
    const firstAnswer = wait(200).then(() => get('/api/v1/dashboard'));
    rebuildLoad = await postUntil(
      collector.url,
      load,
      LOAD_CONNECTIONS,
      firstAnswer.then(() => wait(200)),
    );
    const first = await firstAnswer;
    firstAnswerMs = first.ms;
    steadyLoad = await postUntil(collector.url, load, LOAD_CONNECTIONS, wait(1500));
    progress(
      `first answer, making ${DAYS} days of shown rows: ${Math.round(first.ms)} ms; meanwhile ` +
        `${rebuildLoad.acks.length} reports acknowledged, ${rebuildLoad.refused} refused, longest gap ` +
        `${Math.round(longestGap(rebuildLoad.acks))} ms (${Math.round(longestGap(steadyLoad.acks))} ms with nothing to make)`,
    );
    if (rebuildLoad.refused + steadyLoad.refused > 0) problems.push('reports were refused during the load');
    // Each view once, checked: every number shown must be the sum of the counts it stands for.
    for (const view of views) {
      const dashboard = JSON.parse((await get(`/api/v1/dashboard${view.query}`)).text) as Dashboard;
      const conditions = ['day BETWEEN ? AND ?'];
      const parameters = [view.from, today];
      if (view.group !== undefined) {
        conditions.push('grp = ?');
        parameters.push(view.group);
      }
      if (view.revision !== undefined) {
        conditions.push('policy_revision = ?');
        parameters.push(view.revision);
      }
      const where = conditions.join(' AND ');
      const sums = <Key extends string>(key: Key, event: string) =>
        new Map(
          (
            check
              .prepare(
                `SELECT ${key} AS key, SUM(n) AS n, SUM(CASE WHEN sanctioned THEN n ELSE 0 END) AS sanctioned
                 FROM counts WHERE ${where} AND event = '${event}' GROUP BY ${key}`,
              )
              .all(...parameters) as { key: string; n: number; sanctioned: number }[]
          ).map((row) => [row.key, row]),
        );
      const days = sums('day', 'visit');
      const groups = sums('grp', 'visit');
      const tools = sums('tool', 'visit');
      const warned = [...sums('grp', 'warned').values()].reduce((total, row) => total + row.n, 0);
      // Over every group, the fleet's cells: all of them shown. With a group, its cells: some withheld.
      const fleet = view.group === undefined;
      const wrong = [
        ...dashboard.daily.filter((row) => {
          const expected = days.get(row.day) ?? { n: 0, sanctioned: 0 };
          return (
            disagrees(row.sanctioned, expected.sanctioned, fleet) ||
            disagrees(row.shadow, expected.n - expected.sanctioned, fleet)
          );
        }),
        ...dashboard.byGroup.filter((row) => disagrees(row.visits, groups.get(row.group ?? '')?.n ?? 0, false)),
        ...dashboard.topTools.filter((tool) => disagrees(tool.visits, tools.get(tool.tool)?.n ?? 0, fleet)),
      ];
      if (wrong.length > 0) problems.push(`${view.name}: differs from the counts at ${JSON.stringify(wrong[0])}`);
      if (dashboard.daily.length !== (Date.parse(today) - Date.parse(view.from)) / DAY_MS + 1) {
        problems.push(`${view.name}: ${dashboard.daily.length} days`);
      }
      if (view.group === undefined && (dashboard.byGroup.length !== 100 || dashboard.outcomes?.warned !== warned)) {
        problems.push(
          `${view.name}: ${dashboard.byGroup.length} groups, outcomes ${JSON.stringify(dashboard.outcomes)}`,
        );
      }
      const hidden = (cells: readonly (number | null)[]) => cells.filter((cell) => cell === null).length;
      progress(
        `${view.name}: of ${dashboard.byGroup.length} groups, ${hidden(dashboard.byGroup.map((row) => row.visits))} ` +
          `with visits hidden, ${hidden(dashboard.byGroup.map((row) => (row.suppressed ? null : 0)))} with a cell ` +
          `hidden; ${hidden(dashboard.daily.flatMap((row) => [row.sanctioned, row.shadow]))} daily counts hidden; ` +
          `${dashboard.topTools.length} top tools`,
      );
    }

    progress(`${WARMUP_ROUNDS} warm-up rounds, then ${ROUNDS} measured, of ${views.length} views and the CSV`);
    const csvQuery = `/api/v1/dashboard.csv?from=${yearAgo}&to=${today}`;
    const samples = views.map(() => [] as number[]);
    const csvSamples: number[] = [];
    let csvBytes = 0;
    for (let round = -WARMUP_ROUNDS; round < ROUNDS; round++) {
      for (const [i, view] of views.entries()) {
        const { ms } = await get(`/api/v1/dashboard${view.query}`);
        if (round >= 0) samples[i]?.push(ms);
      }
      const csv = await get(csvQuery);
      csvBytes = Buffer.byteLength(csv.text);
      if (round >= 0) csvSamples.push(csv.ms);
    }
    const stats = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) as number };
    };
    measured = {
      views: views.map((view, i) => ({ name: view.name, query: view.query, ...stats(samples[i] as number[]) })),
      csv: { name: '365 days as CSV', bytes: csvBytes, ...stats(csvSamples) },
    };
  } finally {
    await collector.close();
    check.close();
  }

  // Retention on the same data: a collector that keeps 30 days fewer deletes them at its start, one day a
  // transaction, and makes its first month's shown rows again, while reports keep arriving.
  const retention = deferred<Record<string, unknown>>();
  const pruned = await startCollector({
    port: 0,
    dataDir,
    policyFile: POLICY,
    adminToken: ADMIN_TOKEN,
    reportingToken: null,
    retainDays: DAYS - PRUNED_DAYS,
    log: (entry) => {
      if (entry.msg === 'retention') retention.done(entry);
    },
  });
  let pruneLoad: AckRun;
  let pruneLog: Record<string, unknown>;
  try {
    const stop = retention.promise.then(() => wait(200));
    [pruneLoad, pruneLog] = await Promise.all([postUntil(pruned.url, load, LOAD_CONNECTIONS, stop), retention.promise]);
  } finally {
    await pruned.close();
  }
  progress(
    `retention: ${String(pruneLog.daysDeleted)} days deleted in ${String(pruneLog.ms)} ms; meanwhile ${pruneLoad.acks.length} reports acknowledged, longest gap ${Math.round(longestGap(pruneLoad.acks))} ms`,
  );
  if (pruneLog.daysDeleted !== PRUNED_DAYS)
    problems.push(`retention deleted ${String(pruneLog.daysDeleted)} days, not ${PRUNED_DAYS}`);
  process.stdout.write(
    `${JSON.stringify({
      rows: generated.rows,
      days: DAYS,
      groups: 100,
      databaseBytes: statSync(path.join(dataDir, DATABASE_FILE)).size,
      writeMs: generated.writeMs,
      rollupMs: generated.rollupMs,
      firstAnswerMs,
      rebuildAckGapMs: longestGap(rebuildLoad.acks),
      steadyAckGapMs: longestGap(steadyLoad.acks),
      rebuildAcks: rebuildLoad.acks.length,
      shownMadeMs,
      longestDayMs,
      pruneMs: pruneLog.ms,
      pruneAckGapMs: longestGap(pruneLoad.acks),
      pruneAcks: pruneLoad.acks.length,
      rounds: ROUNDS,
      ...measured,
      problems,
    })}\n`,
  );
  if (problems.length > 0) process.exitCode = 1;
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
