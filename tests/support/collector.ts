/** Test helpers for the collector: report builders, an in-process collector in a temporary data dir, HTTP calls. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCollector, type Collector, type CollectorOptions } from '../../collector/server';
import { marksOf } from '../../lib/protocol/report';
import type { PeopleMark, Report, ReportCount } from '../../lib/protocol/report-schema';

/** Today in UTC, YYYY-MM-DD: always a day a report may carry. */
export const today = (): string => new Date().toISOString().slice(0, 10);

export function fakeCount(overrides: Partial<ReportCount> = {}): ReportCount {
  return { day: today(), tool: 'chatgpt', event: 'visit', n: 1, ...overrides };
}

/**
 * A report as a device's first upload of its days makes it: every (day, tool, event) and every kind of use of a
 * day carries its people mark (docs/spec/report-protocol.md "People"). So each fake report is one more person,
 * unless `people` is given or the report goes through `unmarked`.
 */
export function fakeReport(overrides: Partial<Report> = {}): Report {
  const counts = overrides.counts ?? [fakeCount()];
  const marked = markedAsNew(counts);
  return {
    schemaVersion: 1,
    batchId: randomUUID(),
    policyRevision: '2026-11-26.1',
    client: { browser: 'chrome' },
    group: 'marketing',
    ...overrides,
    counts: marked.counts,
    people: overrides.people ?? marked.people,
  };
}

/** The counts with the marks of a device that reports all of them for the first time. */
function markedAsNew(counts: readonly ReportCount[]): { counts: ReportCount[]; people: PeopleMark[] } {
  const seen = new Set<string>();
  const isNew = (mark: string) => !seen.has(mark) && seen.add(mark).size > 0;
  const people: PeopleMark[] = [];
  const marked = counts.map(({ person: _, ...count }) => {
    const added = marksOf({ ...count, sanctioned: count.sanctioned ?? false }, isNew);
    people.push(...added.people);
    return added.person ? { ...count, person: 1 as const } : count;
  });
  return { counts: marked, people };
}

/** The same report as a later upload of a device that marked its days already: no person, no people. */
export function unmarked(report: Report): Report {
  return { ...report, counts: report.counts.map(({ person: _, ...count }) => count), people: [] };
}

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestCollector extends Collector {
  readonly dataDir: string;
  readonly logs: Record<string, unknown>[];
  /** Closes the collector (if still open) and removes its data dir. */
  dispose(): Promise<void>;
}

/** A collector on 127.0.0.1, a free port, a fresh data dir (or the one given, to restart on it), logs captured. */
export async function startTestCollector(options: Partial<CollectorOptions> = {}): Promise<TestCollector> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'daylight-collector-'));
  const logs: Record<string, unknown>[] = [];
  let collector: Collector;
  try {
    collector = await startCollector({
      port: 0,
      host: '127.0.0.1',
      adminToken: ADMIN_TOKEN,
      // Open unless a test gives one: most tests are about what happens to a report, not who may send it.
      reportingToken: null,
      log: (entry) => logs.push(entry),
      ...options,
      dataDir,
    });
  } catch (error) {
    if (options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    ...collector,
    dataDir,
    logs,
    dispose: async () => {
      await collector.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The collectors a test file starts, so that each is disposed after its test: call `disposeAll` in the
 * file's `afterEach`, before removing anything they read (a policy file's folder). `defaults` go to every start.
 */
export function testCollectors(defaults: Partial<CollectorOptions> = {}): {
  readonly start: (options?: Partial<CollectorOptions>) => Promise<TestCollector>;
  readonly disposeAll: () => Promise<void>;
} {
  const running: TestCollector[] = [];
  return {
    start: async (options = {}) => {
      const started = await startTestCollector({ ...defaults, ...options });
      running.push(started);
      return started;
    },
    disposeAll: async () => {
      await Promise.all(running.splice(0).map((collector) => collector.dispose()));
    },
  };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * One HTTP(S) request with node:http(s), which (unlike fetch) can send a wrong Content-Length, a chunked body
 * in pieces, and still read the answer when the server closes the connection before reading the body.
 */
export function send(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: string | readonly string[];
    /** A loopback address of its own (127.0.0.0/8 is all this machine), to send as another client would. */
    localAddress?: string | undefined;
    /** For an https URL: the one certificate trusted (PEM), as a client that was given it would. */
    ca?: string | undefined;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const { method = 'GET', headers, localAddress, ca } = options;
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const settings = {
      method,
      headers,
      ...(localAddress !== undefined && { localAddress }),
      ...(ca !== undefined && { ca }),
    };
    const req = request(url, settings, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    // The server may answer and close before the whole body is sent (413, 429): the answer is what counts.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    const { body } = options;
    if (typeof body === 'string') req.end(body);
    else if (body === undefined) req.end();
    else {
      for (const chunk of body) req.write(chunk);
      req.end();
    }
  });
}

/** POST /v1/reports with a JSON body (a Report, or any value or text to test refusals). */
export function postReport(
  collector: { readonly url: string },
  body: unknown,
  headers: Record<string, string> = {},
  localAddress?: string,
): Promise<Answer> {
  return send(`${collector.url}/v1/reports`, {
    method: 'POST',
    localAddress,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** Signs in with the admin token; the session cookie ("name=value"). */
export async function signIn(collector: { readonly url: string }, token = ADMIN_TOKEN): Promise<string> {
  const answer = await send(`${collector.url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token }).toString(),
  });
  const setCookie = answer.headers['set-cookie']?.[0];
  if (answer.status !== 303 || setCookie === undefined) throw new Error(`sign-in failed: ${answer.status}`);
  return setCookie.split(';')[0] as string;
}

export interface CountsRow {
  readonly day: string;
  readonly tool: string;
  readonly event: string;
  readonly group: string | null;
  readonly policyRevision: string;
  readonly sanctioned: boolean;
  readonly n: number;
  readonly people: number;
}

export async function getCounts(collector: { readonly url: string }, cookie: string, query = ''): Promise<CountsRow[]> {
  const answer = await send(`${collector.url}/api/v1/counts${query}`, { headers: { cookie } });
  if (answer.status !== 200) throw new Error(`GET /api/v1/counts${query}: ${answer.status} ${answer.text}`);
  return (JSON.parse(answer.text) as { rows: CountsRow[] }).rows;
}
