// @vitest-environment node
/** POST /v1/reports against an in-process collector: docs/spec/report-protocol.md "Collector answers", status by status. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_REPORT_BYTES } from '../../../lib/protocol/report-schema';
import { MAX_GROUPS } from '../../../collector/known-values';
import { BODY_IDLE_MS, MAX_REPORTS_IN_FLIGHT } from '../../../collector/reports';
import { openSqliteStore } from '../../../collector/sqlite-store';
import {
  fakeCount,
  fakeReport,
  getCounts,
  postReport,
  send,
  signIn,
  startTestCollector,
  testCollectors,
  today,
} from '../../support/collector';
import { fakePolicy } from '../../support/fake-policy';

/** k = 1: these tests read what is stored back through /api/v1/counts, which hides cells below k people. */
const collectors = testCollectors({ k: 1 });
afterEach(() => collectors.disposeAll());
const collector = collectors.start;

const json = (text: string): Record<string, unknown> => JSON.parse(text) as Record<string, unknown>;

/** A report whose JSON is just over the size limit, yet valid in every other way. */
function oversizedReport(): string {
  const counts = Array.from({ length: 1200 }, (_, i) => fakeCount({ tool: `tool-${i}` }));
  const body = JSON.stringify(fakeReport({ counts }));
  expect(Buffer.byteLength(body)).toBeGreaterThan(MAX_REPORT_BYTES);
  return body;
}

describe('POST /v1/reports answers', () => {
  it('202 for a new batch, and the counts are stored', async () => {
    const server = await collector();
    const report = fakeReport({ counts: [fakeCount({ n: 12 }), fakeCount({ tool: 'claude', event: 'warned', n: 2 })] });
    const answer = await postReport(server, report);
    expect(answer.status).toBe(202);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json(answer.text)).toEqual({ status: 'accepted' });
    const rows = await getCounts(server, await signIn(server));
    expect(rows).toEqual([
      {
        day: today(),
        tool: 'chatgpt',
        event: 'visit',
        group: 'marketing',
        policyRevision: '2026-11-26.1',
        sanctioned: false,
        n: 12,
        people: 1,
      },
      {
        day: today(),
        tool: 'claude',
        event: 'warned',
        group: 'marketing',
        policyRevision: '2026-11-26.1',
        sanctioned: false,
        n: 2,
        people: 1,
      },
    ]);
  });

  it('200 for a batchId already accepted, whatever its body, and the counts do not change', async () => {
    const server = await collector();
    const report = fakeReport({ counts: [fakeCount({ n: 5 })] });
    expect((await postReport(server, report)).status).toBe(202);
    const replay = await postReport(server, {
      ...report,
      counts: [fakeCount({ n: 999 }), fakeCount({ tool: 'claude' })],
    });
    expect(replay.status).toBe(200);
    expect(json(replay.text)).toEqual({ status: 'already accepted' });
    // The same UUID in capitals is the same batch.
    expect((await postReport(server, { ...report, batchId: report.batchId.toUpperCase() })).status).toBe(200);
    // Even a body this collector would refuse: the batch is known, so the answer is that it is known.
    for (const body of [
      { batchId: report.batchId, schemaVersion: 2 },
      { ...report, counts: [] },
    ]) {
      expect((await postReport(server, body)).status).toBe(200);
    }
    // An unknown batchId with such a body is still a 400.
    expect((await postReport(server, { ...report, batchId: crypto.randomUUID(), counts: [] })).status).toBe(400);
    const rows = await getCounts(server, await signIn(server));
    expect(rows.map((row) => [row.tool, row.n, row.people])).toEqual([['chatgpt', 5, 1]]);
  });

  it('sums counts over batches and counts each person once per cell, even with repeated entries', async () => {
    const server = await collector();
    await postReport(server, fakeReport({ counts: [fakeCount({ n: 2 }), fakeCount({ n: 3 })] }));
    await postReport(server, fakeReport({ counts: [fakeCount({ n: 10 })] }));
    await postReport(server, fakeReport({ group: undefined, counts: [fakeCount({ n: 7 })] }));
    const rows = await getCounts(server, await signIn(server));
    // No group sorts first.
    expect(rows.map((row) => [row.group, row.n, row.people])).toEqual([
      [null, 7, 1],
      ['marketing', 15, 2],
    ]);
  });

  it('400 naming the field for each broken rule', async () => {
    const server = await collector();
    const cases: [unknown, string][] = [
      [{ ...fakeReport(), schemaVersion: 2 }, 'schemaVersion: must be 1'],
      [{ ...fakeReport(), batchId: 'nope' }, 'batchId: must be a UUID'],
      [{ ...fakeReport(), policyRevision: '' }, 'policyRevision: must be 1–64 characters'],
      [{ ...fakeReport(), client: { extensionVersion: '1', browser: 'netscape' } }, 'client.browser: must be one of'],
      [{ ...fakeReport(), group: 'g'.repeat(65) }, 'group: must be at most 64 characters'],
      [{ ...fakeReport(), counts: [] }, 'counts: must have 1 to 5,000 entries'],
      [
        fakeReport({ counts: [fakeCount(), fakeCount(), fakeCount(), fakeCount({ day: '2026-02-30' })] }),
        'counts[3].day: not a real calendar date',
      ],
      [fakeReport({ counts: [fakeCount({ day: '2126-01-01' })] }), 'counts[0].day: is later than tomorrow'],
      [fakeReport({ counts: [fakeCount({ tool: 'Chat GPT' })] }), 'counts[0].tool: must be 1–64 lowercase'],
      [{ ...fakeReport(), counts: [{ ...fakeCount(), event: 'click' }] }, 'counts[0].event: must be one of'],
      [fakeReport({ counts: [fakeCount({ n: 0 })] }), 'counts[0].n: must be a whole number'],
    ];
    for (const [body, error] of cases) {
      const answer = await postReport(server, body);
      expect(answer.status, error).toBe(400);
      expect(json(answer.text).error, error).toContain(error);
    }
  });

  it('400 for malformed JSON, with the line and column and not the body', async () => {
    const server = await collector();
    const answer = await postReport(server, '{"schemaVersion": 1,\n "batchId": oops}');
    expect(answer.status).toBe(400);
    expect(json(answer.text).error).toBe(
      '(report): not valid JSON: line 2, column 13: unexpected "o", expected a value',
    );
    expect((await postReport(server, '')).status).toBe(400);
  });

  it('400 for a body that is not sent as application/json (a web page cannot, without a preflight)', async () => {
    const server = await collector();
    const answer = await postReport(server, fakeReport(), { 'content-type': 'text/plain' });
    expect(answer.status).toBe(400);
    expect(json(answer.text).error).toBe('Content-Type: must be application/json');
    expect((await postReport(server, fakeReport(), { 'content-type': 'Application/JSON; charset=UTF-8' })).status).toBe(
      202,
    );
  });

  it('413 for a Content-Length over 64 KiB, before reading it', async () => {
    const server = await collector();
    const answer = await postReport(server, oversizedReport());
    expect(answer.status).toBe(413);
    expect(answer.headers.connection).toBe('close');
    // Exactly 64 KiB is allowed: padded with spaces, which JSON ignores.
    const body = JSON.stringify(fakeReport());
    expect((await postReport(server, body.padEnd(MAX_REPORT_BYTES, ' '))).status).toBe(202);
  });

  it('413 for a chunked body that grows past 64 KiB', async () => {
    const server = await collector();
    const body = oversizedReport();
    const chunks = Array.from({ length: Math.ceil(body.length / 8192) }, (_, i) =>
      body.slice(i * 8192, (i + 1) * 8192),
    );
    const answer = await send(`${server.url}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: chunks,
    });
    expect(answer.status).toBe(413);
    // A chunked body within the limit is read and accepted.
    const small = JSON.stringify(fakeReport());
    const accepted = await send(`${server.url}/v1/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: [small.slice(0, 10), small.slice(10)],
    });
    expect(accepted.status).toBe(202);
  });

  it('405 for another method, with Allow', async () => {
    const server = await collector();
    const answer = await send(`${server.url}/v1/reports`, { method: 'PUT', body: '{}' });
    expect(answer.status).toBe(405);
    expect(answer.headers.allow).toBe('POST');
  });
});

describe('the reporting token', () => {
  const TOKEN = 'reporting-token-for-tests';

  it('401 when it is missing or wrong; 202 with `Authorization: Bearer <token>`', async () => {
    const server = await collector({ reportingToken: TOKEN });
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, TOKEN, 'Bearer ']) {
      const answer = await postReport(server, fakeReport(), authorization === undefined ? {} : { authorization });
      expect(answer.status, authorization).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    expect((await postReport(server, fakeReport(), { authorization: `Bearer ${TOKEN}` })).status).toBe(202);
    expect((await postReport(server, fakeReport(), { authorization: `bearer ${TOKEN}` })).status).toBe(202);
  });

  it('is not asked for when none is configured', async () => {
    const server = await collector();
    expect((await postReport(server, fakeReport(), { authorization: 'Bearer anything' })).status).toBe(202);
  });
});

describe('the order of the checks: size, token, capacity, body', () => {
  const TOKEN = 'reporting-token-for-tests';

  it('an oversized body is 413 when its size is declared, whatever its token; a chunked one once read', async () => {
    const server = await collector({ reportingToken: TOKEN });
    const body = oversizedReport();
    expect((await postReport(server, body, { authorization: 'Bearer wrong' })).status).toBe(413);
    const chunked = (authorization: string) =>
      send(`${server.url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', authorization },
        body: [body.slice(0, 40_000), body.slice(40_000)],
      });
    expect((await chunked(`Bearer ${TOKEN}`)).status).toBe(413);
    // Its size is not known before it is read, and nothing is read without the token.
    expect((await chunked('Bearer wrong')).status).toBe(401);
  });

  it('a wrong token is 401 even over capacity: it takes no share of it', async () => {
    const server = await collector({ reportingToken: TOKEN, maxReportsPerSecond: 1 });
    expect((await postReport(server, fakeReport(), { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await postReport(server, fakeReport(), { authorization: `Bearer ${TOKEN}` })).status).toBe(202);
    expect((await postReport(server, fakeReport(), { authorization: 'Bearer wrong' })).status).toBe(401);
    const answer = await postReport(server, fakeReport(), { authorization: `Bearer ${TOKEN}` });
    expect(answer.status).toBe(429);
    expect(answer.headers['retry-after']).toBe('1');
    expect(json(answer.text).error).toBe('over capacity; retry after 1 s');
  });

  it('a wrong token with a bad body is 401', async () => {
    const server = await collector({ reportingToken: TOKEN });
    expect((await postReport(server, '{not json', { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await postReport(server, { schemaVersion: 9 }, {})).status).toBe(401);
  });
});

describe('slow bodies', () => {
  const TOKEN = 'reporting-token-for-tests';

  it('from one address, even with the token, do not hold back the reports of another', async () => {
    const server = await collector({ reportingToken: TOKEN });
    const { port } = new URL(server.url);
    // As many connections as the collector takes reports at once, each sending one byte of a 1,000-byte body.
    const slow = await Promise.all(
      Array.from(
        { length: MAX_REPORTS_IN_FLIGHT },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect({ host: '127.0.0.1', port: Number(port), localAddress: '127.0.0.2' }, () => {
              socket.write(
                `POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
                  `Authorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n{`,
              );
              resolve(socket);
            });
            socket.on('error', reject);
          }),
      ),
    );
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          postReport(server, fakeReport(), { authorization: `Bearer ${TOKEN}` }, '127.0.0.3'),
        ),
      );
      expect(answers.map((answer) => answer.status)).toEqual(answers.map(() => 202));
    } finally {
      for (const socket of slow) socket.destroy();
    }
  });

  it(`lose their connection after ${BODY_IDLE_MS / 1000} s without a byte`, async () => {
    const server = await collector({ reportingToken: TOKEN });
    const started = Date.now();
    const closed = await new Promise<number>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: Number(new URL(server.url).port) }, () => {
        socket.write(
          `POST /v1/reports HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
            `Authorization: Bearer ${TOKEN}\r\nContent-Length: 1000\r\n\r\n{`,
        );
      });
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', reject);
      socket.resume();
    });
    expect(closed).toBeGreaterThanOrEqual(BODY_IDLE_MS - 100);
    expect(closed).toBeLessThan(BODY_IDLE_MS + 3000);
  }, 15_000);
});

describe('capacity', () => {
  it('is global: past the limit every client gets 429 until the bucket refills, then 202 again', async () => {
    const server = await collector({ maxReportsPerSecond: 5 });
    const answers = await Promise.all(Array.from({ length: 8 }, () => postReport(server, fakeReport())));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429, 429, 429]);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect((await postReport(server, fakeReport())).status).toBe(202);
  });

  it('a refused report is not stored: its retry is accepted', async () => {
    const server = await collector({ maxReportsPerSecond: 1 });
    await postReport(server, fakeReport());
    const report = fakeReport({ counts: [fakeCount({ n: 4 })] });
    expect((await postReport(server, report)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await postReport(server, report)).status).toBe(202);
  });
});

describe('idempotency and durability', () => {
  it('counts a batch once when 20 copies arrive at the same time', async () => {
    const server = await collector();
    const report = fakeReport({ counts: [fakeCount({ n: 3 })] });
    const answers = await Promise.all(Array.from({ length: 20 }, () => postReport(server, report)));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(1);
    expect(statuses.filter((status) => status === 200)).toHaveLength(19);
    const rows = await getCounts(server, await signIn(server));
    expect(rows.map((row) => [row.n, row.people])).toEqual([[3, 1]]);
  });

  it('keeps every accepted count across a restart on the same data dir, and still answers 200 to a replay', async () => {
    const first = await startTestCollector({ k: 1 });
    const dataDir = first.dataDir;
    const reports = Array.from({ length: 5 }, (_, i) => fakeReport({ counts: [fakeCount({ n: i + 1 })] }));
    for (const report of reports) expect((await postReport(first, report)).status).toBe(202);
    await first.close();

    const second = await collector({ dataDir });
    for (const report of reports) expect((await postReport(second, report)).status).toBe(200);
    const rows = await getCounts(second, await signIn(second));
    expect(rows.map((row) => [row.n, row.people])).toEqual([[15, 5]]);
  });
});

describe('fuzzed bodies', () => {
  it('are answered 202, 200 or 400, never 5xx, and the server keeps working', async () => {
    const server = await collector();
    const bodies = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ unit: 'binary', maxLength: 300 }),
      fc.array(fc.jsonValue(), { maxLength: 5 }).map((counts) => JSON.stringify({ ...fakeReport(), counts })),
      fc
        .tuple(
          fc.jsonValue(),
          fc.constantFrom('schemaVersion', 'batchId', 'policyRevision', 'client', 'group', 'counts'),
        )
        .map(([value, field]) => JSON.stringify({ ...fakeReport(), [field]: value })),
    );
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const answer = await postReport(server, body);
        expect([200, 202, 400]).toContain(answer.status);
      }),
      { numRuns: 150 },
    );
    expect((await send(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('hostile strings in group and policyRevision', () => {
  const hostile = [
    "x'); DROP TABLE counts; --",
    '<script>alert(1)</script>',
    '=HYPERLINK("https://evil.example","click")',
    '+1+2',
    '-2+3',
    '@SUM(A1)',
    '\tleading tab',
    '\rleading CR',
    'comma, "quotes"\nand a newline',
    'ünïcödé 🎉 \u202eRTL',
  ];

  it('are stored and returned as data, and neutralised in the CSV', async () => {
    const server = await collector();
    for (const group of hostile) {
      expect((await postReport(server, fakeReport({ group, policyRevision: group.slice(0, 64) }))).status).toBe(202);
    }
    const cookie = await signIn(server);
    const rows = await getCounts(server, cookie);
    expect(rows.map((row) => row.group).sort()).toEqual([...hostile].sort());
    for (const row of rows) expect(row.policyRevision).toBe(row.group?.slice(0, 64));

    const csv = await send(`${server.url}/api/v1/counts.csv`, { headers: { cookie } });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8; header=present');
    expect(csv.headers['content-disposition']).toBe('attachment; filename="daylight-counts.csv"');
    // Every text quoted, a formula start kept as text (tests/unit/collector/csv.test.ts has the rules).
    expect(csv.text).toContain(`"'=HYPERLINK(""https://evil.example"",""click"")"`);
    for (const field of [
      "'+1+2",
      "'-2+3",
      "'@SUM(A1)",
      "'\tleading tab",
      "'\rleading CR",
      '<script>alert(1)</script>',
    ]) {
      expect(csv.text).toContain(`,"${field}","${field}",`);
    }
    expect(csv.text).toContain(`,"comma, ""quotes""\nand a newline","comma, ""quotes""\nand a newline",`);
    expect(csv.text.startsWith('"day","tool","event","group","policyRevision","sanctioned","n","people"\r\n')).toBe(
      true,
    );
  });
});

describe('logs', () => {
  it('hold no IP address, user agent, token, cookie or body: only the listed fields', async () => {
    const server = await collector({ reportingToken: 'reporting-token-canary' });
    const canary = 'group-canary-7f3a';
    const headers = { authorization: 'Bearer reporting-token-canary', 'user-agent': 'UA-canary/9.9' };
    await postReport(server, fakeReport({ group: canary }), headers);
    await postReport(server, { ...fakeReport(), group: `${canary}${'x'.repeat(80)}` }, headers);
    await postReport(server, `{"broken": "${canary}`, headers);
    const cookie = await signIn(server);
    await send(`${server.url}/api/v1/counts?group=${canary}`, { headers: { cookie, 'user-agent': 'UA-canary/9.9' } });

    const requests = server.logs.filter((entry) => entry.msg === 'request');
    expect(requests.length).toBeGreaterThanOrEqual(5);
    for (const entry of requests) {
      for (const key of Object.keys(entry)) {
        expect(['time', 'level', 'msg', 'method', 'route', 'status', 'ms', 'counts']).toContain(key);
      }
    }
    const text = JSON.stringify(server.logs);
    for (const secret of [canary, 'UA-canary', 'reporting-token-canary', cookie.split('=')[1] as string]) {
      expect(text).not.toContain(secret);
    }
    // The client's address (loopback here); the server's own listening address is logged at start.
    expect(JSON.stringify(requests)).not.toContain('127.0.0.1');
    expect(requests.find((entry) => entry.status === 202)).toMatchObject({
      level: 'info',
      method: 'POST',
      route: '/v1/reports',
      counts: 1,
    });
    expect(typeof requests[0]?.ms).toBe('number');
    expect(typeof requests[0]?.time).toBe('string');
  });
});

describe('groups and revisions the collector knows (docs/spec/report-protocol.md "Groups and revisions")', () => {
  it('refuses with 400 a group not among --groups, counts the refusal, and lists the groups on the dashboard', async () => {
    const server = await collector({ groups: ['sales', 'legal'] });
    expect((await postReport(server, fakeReport({ group: 'sales' }))).status).toBe(202);
    expect((await postReport(server, fakeReport({ group: undefined }))).status).toBe(202);
    const madeUp = await postReport(server, fakeReport({ group: 'made-up' }));
    expect(madeUp.status).toBe(400);
    expect(json(madeUp.text).error).toBe('group: not one of the groups this collector knows (daylight serve --groups)');
    const cookie = await signIn(server);
    expect((await getCounts(server, cookie)).map((row) => row.group)).toEqual([null, 'sales']);
    const dashboard = json((await send(`${server.url}/api/v1/dashboard`, { headers: { cookie } })).text);
    expect(dashboard.groups).toEqual(['legal', 'sales']);
    expect(dashboard.refused).toEqual([{ reason: 'group', n: 1 }]);
  });

  it('without --groups or a policy, takes 1,000 groups and revisions, then only those it knows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daylight-bounds-'));
    try {
      const store = openSqliteStore(join(dir, 'data'));
      store.ingest(
        Array.from({ length: MAX_GROUPS }, (_, i) => fakeReport({ group: `group-${i}`, policyRevision: `r-${i}` })),
      );
      store.close();
      const server = await collector({ dataDir: join(dir, 'data') });
      const newGroup = await postReport(server, fakeReport({ group: 'one-more', policyRevision: 'r-1' }));
      expect(newGroup.status).toBe(400);
      expect(json(newGroup.text).error).toBe(
        'group: this collector already knows 1,000 groups and takes no new one without a list of them (daylight serve --groups)',
      );
      const newRevision = await postReport(server, fakeReport({ group: 'group-1', policyRevision: 'r-new' }));
      expect(json(newRevision.text).error).toMatch(/^policyRevision: this collector already knows 1,000 revisions/);
      expect((await postReport(server, fakeReport({ group: 'group-7', policyRevision: 'r-9' }))).status).toBe(202);
      await server.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with a policy, refuses a revision it never served; one it served before a change is still taken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daylight-revisions-'));
    try {
      const policyFile = join(dir, 'policy.json');
      writeFileSync(policyFile, JSON.stringify(fakePolicy({ revision: 'r1' })));
      const first = await startTestCollector({ k: 1, policyFile, dataDir: join(dir, 'data') });
      const r0 = await postReport(first, fakeReport({ policyRevision: 'r0' }));
      expect(r0.status).toBe(400);
      expect(json(r0.text).error).toBe(
        'policyRevision: not a revision of the policy this collector has served (daylight serve --policy)',
      );
      expect((await postReport(first, fakeReport({ policyRevision: 'r1' }))).status).toBe(202);
      await first.close();
      // A month later the policy is r2; browsers that have not fetched it yet still count under r1.
      writeFileSync(policyFile, JSON.stringify(fakePolicy({ revision: 'r2' })));
      const later = await startTestCollector({ k: 1, policyFile, dataDir: join(dir, 'data') });
      for (const [revision, status] of [
        ['r1', 202],
        ['r2', 202],
        ['r3', 400],
      ] as const) {
        expect((await postReport(later, fakeReport({ policyRevision: revision }))).status, revision).toBe(status);
      }
      await later.dispose();
      // Without a policy, the collector cannot know the fleet's revisions and takes any.
      const open = await collector();
      expect((await postReport(open, fakeReport({ policyRevision: 'anything' }))).status).toBe(202);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
