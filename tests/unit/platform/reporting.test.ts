/**
 * The upload side of docs/spec/report-protocol.md with a fake browser, a fake collector and the real
 * IndexedDB store (fake-indexeddb): batches leave the outbox only after a 2xx, retries resend the
 * same bytes, a lost answer never counts twice, and failures back off.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { UsageCount } from '../../../lib/protocol/usage';
import { createReporting, UPLOAD_ALARM, UPLOAD_RETRY_ALARM, type ReportingTarget } from '../../../platform/reporting';
import { openUsageStore, type UsageStore } from '../../../platform/usage-store';
import { fakeExtensionBrowser, fakeExtensionWorld } from '../../support/fake-extension-browser';

const TARGET: ReportingTarget = {
  url: 'https://collect.corp.example/v1/reports',
  intervalMinutes: 1440,
  token: 'secret-token',
  header: { policyRevision: 'corp-3', group: 'sales' },
};

interface Posted {
  readonly url: string;
  readonly init: RequestInit;
  readonly body: { batchId: string; counts: UsageCount[] };
}

let databases = 0;

function setup() {
  const world = {
    ...fakeExtensionWorld(),
    clock: Date.parse('2026-11-26T12:00:00Z'),
    posted: [] as Posted[],
    /** The fake collector: batchIds it accepted, and the counts they carried. */
    accepted: new Map<string, UsageCount[]>(),
    /** How the collector answers the next POSTs; default 202 (200 for a replay). */
    answers: [] as ('accept' | 'lose-answer' | 'down' | Response)[],
    target: TARGET as ReportingTarget | null,
  };
  const browser = fakeExtensionBrowser(world);
  const fetchFn = ((url: string, init: RequestInit) => {
    const body = JSON.parse(init.body as string) as Posted['body'];
    world.posted.push({ url, init, body });
    const answer = world.answers.shift() ?? 'accept';
    if (answer === 'down') return Promise.reject(new TypeError('Failed to fetch'));
    if (answer instanceof Response) return Promise.resolve(answer);
    const replay = world.accepted.has(body.batchId);
    if (!replay) world.accepted.set(body.batchId, body.counts);
    // The collector stored it, but the answer never arrived (the worker stopped, the network broke).
    if (answer === 'lose-answer') return Promise.reject(new TypeError('network error'));
    return Promise.resolve(new Response(null, { status: replay ? 200 : 202 }));
  }) as typeof fetch;
  let ids = 0;
  const usage: UsageStore = openUsageStore(`reporting-test-${++databases}`);
  const reporting = createReporting({
    browser: browser as never,
    usage,
    target: () => Promise.resolve(world.target),
    client: { browser: 'chrome' },
    fetchFn,
    now: () => world.clock,
    random: () => 0.5,
    newBatchId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}`,
  });
  /** What the collector counted: n per "day tool event", each accepted batch once. */
  const collected = () => {
    const sums: Record<string, number> = {};
    for (const counts of world.accepted.values()) {
      for (const count of counts)
        sums[`${count.tool} ${count.event}`] = (sums[`${count.tool} ${count.event}`] ?? 0) + count.n;
    }
    return sums;
  };
  return { world, usage, reporting, collected };
}

let env: ReturnType<typeof setup>;
beforeEach(() => {
  env = setup();
});

async function count(tool: string, event: 'visit' | 'warned', times = 1): Promise<void> {
  for (let i = 0; i < times; i++) await env.usage.add('2026-11-26', tool, event, false);
}

describe('an upload', () => {
  it('sends the counts once, with the token, no cookies, and empties the outbox', async () => {
    await count('chatgpt', 'visit', 3);
    await count('claude', 'warned');
    expect(await env.reporting.upload(false)).toEqual({ sent: 1, waiting: 0, error: null });
    const [post] = env.world.posted;
    expect(post?.url).toBe(TARGET.url);
    expect(post?.init).toMatchObject({
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer secret-token' },
    });
    expect(post?.body).toMatchObject({ policyRevision: 'corp-3', group: 'sales', client: { browser: 'chrome' } });
    expect(env.collected()).toEqual({ 'chatgpt visit': 3, 'claude warned': 1 });
    expect(await env.usage.list()).toEqual([]);
    expect(await env.usage.outbox()).toEqual([]);
    expect(env.world.alarms.has(UPLOAD_RETRY_ALARM)).toBe(false);
  });

  it('sends no Authorization header when IT set no token', async () => {
    env.world.target = { ...TARGET, token: null };
    await count('chatgpt', 'visit');
    await env.reporting.upload(false);
    expect(env.world.posted[0]?.init.headers).not.toHaveProperty('Authorization');
  });

  it('with the collector down, keeps the batch, backs off, and later resends the same bytes', async () => {
    await count('chatgpt', 'visit', 2);
    env.world.answers.push('down');
    const failed = await env.reporting.upload(false);
    expect(failed).toMatchObject({ sent: 0, waiting: 1 });
    expect(failed.error).toContain('could not reach https://collect.corp.example/v1/reports');
    const [waiting] = await env.usage.outbox();
    expect(waiting).toMatchObject({ failures: 1, nextAttemptAt: env.world.clock + 60_000 });
    expect(env.world.alarms.get(UPLOAD_RETRY_ALARM)?.scheduledTime).toBe(env.world.clock + 60_000);
    // Counted meanwhile: it stays in the counters while the collector is away; nothing is due yet.
    await count('chatgpt', 'visit');
    env.world.clock += 30_000;
    await env.reporting.upload(false);
    expect(env.world.posted).toHaveLength(1);
    expect(await env.usage.outbox()).toHaveLength(1);
    env.world.clock += 60_000;
    await env.reporting.upload(false);
    const resent = env.world.posted.at(-1);
    expect(resent?.body.batchId).toBe(waiting?.batchId);
    expect(resent?.init.body).toBe(waiting?.body);
    expect(env.collected()).toEqual({ 'chatgpt visit': 2 });
    // The collector is back: the next run cuts and sends what was counted meanwhile.
    await env.reporting.upload(false);
    expect(env.collected()).toEqual({ 'chatgpt visit': 3 });
    expect(await env.usage.outbox()).toEqual([]);
    expect(await env.usage.list()).toEqual([]);
  });

  it('does not pile up a batch per attempt while the collector is away', async () => {
    for (let hour = 0; hour < 48; hour++) {
      await count('chatgpt', 'visit');
      env.world.answers.push('down');
      env.world.clock += 3600_000;
      await env.reporting.upload(false);
    }
    expect(await env.usage.outbox()).toHaveLength(1);
    // Fewer attempts than hours: the backoff holds them back (1, 2, 4 … minutes, up to 6 hours).
    expect(env.world.posted.length).toBeLessThan(48);
    expect((await env.usage.list())[0]?.n).toBe(47);
  });

  it('whose answer is lost is resent with the same batchId and counted once', async () => {
    await count('gemini', 'visit', 4);
    env.world.answers.push('lose-answer');
    await env.reporting.upload(false);
    env.world.clock += 120_000;
    await env.reporting.upload(false);
    expect(env.world.posted).toHaveLength(2);
    expect(env.world.posted[0]?.body.batchId).toBe(env.world.posted[1]?.body.batchId);
    expect(env.collected()).toEqual({ 'gemini visit': 4 });
    expect(await env.usage.outbox()).toEqual([]);
  });

  it("waits as long as a 429's Retry-After says, and stops sending the rest meanwhile", async () => {
    await count('chatgpt', 'visit');
    await env.reporting.upload(false); // a first batch, accepted
    env.world.answers.push('down');
    await count('chatgpt', 'visit');
    await env.reporting.upload(false); // a second batch, waiting
    await count('claude', 'visit');
    env.world.clock += 10 * 60_000;
    env.world.answers.push(new Response('busy', { status: 429, headers: { 'Retry-After': '600' } }));
    await env.reporting.upload(false);
    expect(env.world.posted).toHaveLength(3); // the third batch was not tried after the 429
    expect((await env.usage.outbox()).map((batch) => batch.nextAttemptAt)).toContain(env.world.clock + 600_000);
  });

  it('refused for one batch (400) lets the others go, and keeps it', async () => {
    await count('chatgpt', 'visit');
    env.world.answers.push('down');
    await env.reporting.upload(false);
    await count('claude', 'visit');
    env.world.answers.push(new Response('{"error":"counts[0].day: later than tomorrow"}', { status: 400 }));
    const outcome = await env.reporting.upload(true);
    expect(outcome).toMatchObject({ sent: 1, waiting: 1 });
    expect(outcome.error).toBe(
      'https://collect.corp.example/v1/reports answered 400: {"error":"counts[0].day: later than tomorrow"}',
    );
  });

  it('refused for one batch (400) does not hold back the regular uploads after it', async () => {
    const refused = () =>
      new Response('{"error":"group: not one of the groups this collector knows"}', { status: 400 });
    await count('chatgpt', 'visit');
    env.world.answers.push(refused());
    await env.reporting.upload(false);
    expect(await env.usage.outbox()).toMatchObject([{ failures: 1, refused: true }]);
    // An hour later: the refused batch is tried again (and refused again); what was counted since goes on its own.
    await count('claude', 'visit');
    env.world.clock += 3600_000;
    env.world.answers.push(refused());
    expect(await env.reporting.upload(false)).toMatchObject({ sent: 1, waiting: 1 });
    expect(env.collected()).toEqual({ 'claude visit': 1 });
    expect(await env.usage.list()).toEqual([]);
  });

  it.each([401, 421])('refused for its token or host (%i) stops: every batch carries the same', async (status) => {
    await count('chatgpt', 'visit');
    env.world.answers.push('down');
    await env.reporting.upload(false);
    await count('claude', 'visit');
    env.world.answers.push(new Response(null, { status }));
    expect(await env.reporting.upload(true)).toMatchObject({ sent: 0, waiting: 2 });
    expect(env.world.posted).toHaveLength(2);
    // And holds back the regular uploads: no batch an hour piles up while the collector refuses them all.
    await count('gemini', 'visit');
    env.world.clock += 3600_000;
    env.world.answers.push(new Response(null, { status }));
    await env.reporting.upload(false);
    expect(await env.usage.outbox()).toHaveLength(2);
  });

  it('"Send now" during a regular upload runs right after it', async () => {
    await count('chatgpt', 'visit');
    env.world.answers.push('down');
    await env.reporting.upload(false); // in backoff now
    const regular = env.reporting.upload(false);
    const sendNow = env.reporting.upload(true);
    await regular;
    expect(await sendNow).toMatchObject({ sent: 1, waiting: 0 });
    expect(env.collected()).toEqual({ 'chatgpt visit': 1 });
  });

  it('"Send now" ignores the backoff; two uploads at once send each batch once', async () => {
    await count('chatgpt', 'visit');
    env.world.answers.push('down');
    await env.reporting.upload(false);
    await Promise.all([env.reporting.upload(true), env.reporting.upload(true)]);
    expect(env.world.posted).toHaveLength(2);
    expect(env.collected()).toEqual({ 'chatgpt visit': 1 });
  });

  it('does nothing while reporting is off, and counting goes on', async () => {
    env.world.target = null;
    await count('chatgpt', 'visit');
    expect(await env.reporting.upload(true)).toMatchObject({ sent: 0, error: 'reporting is off' });
    expect(env.world.posted).toEqual([]);
    expect(await env.usage.list()).toHaveLength(1);
  });
});

describe('the preview', () => {
  it('shows the exact body of the next upload, batchId included', async () => {
    await count('chatgpt', 'visit', 2);
    const preview = await env.reporting.preview();
    expect(preview?.collectorHost).toBe('collect.corp.example');
    const [shown] = preview?.next ?? [];
    await env.reporting.upload(false);
    expect(env.world.posted[0]?.init.body).toBe(shown);
  });

  it('lists the waiting batches with why they wait', async () => {
    await count('chatgpt', 'visit');
    env.world.answers.push(new Response(null, { status: 503 }));
    await env.reporting.upload(false);
    const preview = await env.reporting.preview();
    expect(preview?.waiting.map((batch) => batch.lastError)).toEqual([
      'https://collect.corp.example/v1/reports answered 503',
    ]);
    expect(preview?.next).toEqual([]);
  });
});

describe('counts under a policy revision', () => {
  it('go under the revision and group they were counted under, when either changes', async () => {
    await env.reporting.headerChanged({ policyRevision: 'corp-3', group: 'sales' });
    await count('chatgpt', 'visit', 2);
    await env.reporting.headerChanged({ policyRevision: 'corp-4', group: 'sales' });
    await count('chatgpt', 'visit');
    env.world.target = { ...TARGET, header: { policyRevision: 'corp-4', group: 'sales' } };
    await env.reporting.upload(false);
    expect(env.world.posted.map((post) => JSON.parse(post.init.body as string) as unknown)).toEqual([
      expect.objectContaining({ policyRevision: 'corp-3', counts: [expect.objectContaining({ n: 2 })] }),
      expect.objectContaining({ policyRevision: 'corp-4', counts: [expect.objectContaining({ n: 1 })] }),
    ]);
  });
});

describe('the promised batchId', () => {
  it('is used once, by the cut that takes it, and a new one is promised after', async () => {
    await count('chatgpt', 'visit');
    const promised = await env.usage.promiseNextBatchId(() => 'aaaaaaaa-0000-4000-8000-000000000001');
    await env.reporting.upload(false);
    expect(env.world.posted[0]?.body.batchId).toBe(promised);
    expect(await env.usage.promiseNextBatchId(() => 'aaaaaaaa-0000-4000-8000-000000000002')).toBe(
      'aaaaaaaa-0000-4000-8000-000000000002',
    );
  });
});

describe('the schedule', () => {
  it('sets the first upload at a random point of the interval, and clears it when reporting ends', async () => {
    await env.reporting.schedule(TARGET);
    expect(env.world.alarms.get(UPLOAD_ALARM)?.scheduledTime).toBe(env.world.clock + 0.5 * 1440 * 60_000);
    await env.reporting.schedule(TARGET);
    expect(env.world.alarms.get(UPLOAD_ALARM)?.scheduledTime).toBe(env.world.clock + 0.5 * 1440 * 60_000);
    await env.reporting.schedule(null);
    expect(env.world.alarms.has(UPLOAD_ALARM)).toBe(false);
  });

  it('on the alarm, uploads and sets the next one an interval (±10%) later', async () => {
    await count('chatgpt', 'visit');
    await env.reporting.onAlarm(UPLOAD_ALARM);
    expect(env.world.posted).toHaveLength(1);
    expect(env.world.alarms.get(UPLOAD_ALARM)?.scheduledTime).toBe(env.world.clock + 1440 * 60_000);
  });
});
