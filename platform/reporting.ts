/**
 * Uploads the usage counts (docs/spec/report-protocol.md "Upload"): every
 * `reporting.intervalMinutes` with jitter, the counters moved into outbox
 * batches first, each batch POSTed until a 2xx answer, failures retried with
 * exponential backoff (or the collector's Retry-After) and the same batchId.
 * No cookies; `Authorization: Bearer` only when IT set a reporting token.
 */
import type { browser as wxtBrowser } from 'wxt/browser';
import {
  buildBatches,
  retryAfterMs,
  uploadRetryDelayMs,
  type OutboxBatch,
  type ReportHeader,
  type UploadOutcome,
  type UploadPreview,
} from '../lib/protocol/report';
import { defineItem } from './background/stored-items';
import type { UsageStore } from './usage-store';

type Browser = typeof wxtBrowser;

export const UPLOAD_ALARM = 'report-upload';
export const UPLOAD_RETRY_ALARM = 'report-retry';
/** An upload that hangs must not hold the worker: the batch is retried later. */
const UPLOAD_TIMEOUT_MS = 30_000;

/** Where and how to upload, from the policy in force and managed configuration; null when reporting is off. */
export interface ReportingTarget {
  readonly url: string;
  readonly intervalMinutes: number;
  readonly token: string | null;
  readonly header: Omit<ReportHeader, 'browser'>;
}

export interface ReportingDeps {
  readonly browser: Browser;
  readonly usage: UsageStore;
  readonly target: () => Promise<ReportingTarget | null>;
  readonly client: Pick<ReportHeader, 'browser'>;
  readonly fetchFn: typeof fetch;
  readonly now: () => number;
  readonly random: () => number;
  readonly newBatchId: () => string;
}

export type Reporting = ReturnType<typeof createReporting>;

// Long: a factory; the upload in flight it closes over is shared by the short functions inside.
export function createReporting({ browser, usage, target, client, fetchFn, now, random, newBatchId }: ReportingDeps) {
  /** storage.local: when the collector last accepted a batch (ms), for the options page. */
  const lastSentAt = defineItem<number | null>(browser.storage.local, 'reportLastSentAt', { fallback: null });
  /** One upload at a time: an alarm and "Send now" at once must not send a batch twice in parallel. */
  let running: Promise<UploadOutcome> | null = null;
  let runningForced = false;

  /**
   * Keeps the upload alarm in step with the policy: set when reporting is on and none is set (the
   * first one at a random point of the interval, so a fleet installed at once does not upload at
   * once), cleared when reporting is off. Counting goes on either way. Takes the target from the
   * policy load that calls it (asking for the policy here would wait on that very load).
   */
  async function schedule(reporting: ReportingTarget | null): Promise<void> {
    if (reporting === null) {
      await browser.alarms.clear(UPLOAD_ALARM);
      await browser.alarms.clear(UPLOAD_RETRY_ALARM);
      return;
    }
    const existing = await browser.alarms.get(UPLOAD_ALARM);
    const intervalMs = reporting.intervalMinutes * 60_000;
    if (existing !== undefined && existing.scheduledTime <= now() + intervalMs * 1.1) return;
    await browser.alarms.create(UPLOAD_ALARM, { when: now() + random() * intervalMs });
  }

  async function onAlarm(name: string): Promise<void> {
    if (name !== UPLOAD_ALARM && name !== UPLOAD_RETRY_ALARM) return;
    const reporting = await target();
    if (reporting === null) return;
    if (name === UPLOAD_ALARM) {
      // The next regular upload: the interval, ±10%.
      const intervalMs = reporting.intervalMinutes * 60_000;
      await browser.alarms.create(UPLOAD_ALARM, { when: now() + intervalMs * (0.9 + 0.2 * random()) });
    }
    await upload(false);
  }

  /**
   * `force` ("Send now"): the live counters are cut and every waiting batch goes now, backoff or not.
   * A Send now during a regular run waits for it, then runs itself.
   */
  function upload(force: boolean): Promise<UploadOutcome> {
    if (running !== null && (runningForced || !force)) return running;
    const run = (running ?? Promise.resolve())
      .catch(() => undefined)
      .then(() => uploadOnce(force))
      .finally(() => {
        if (running === run) running = null;
      });
    running = run;
    runningForced = force;
    return run;
  }

  async function uploadOnce(force: boolean): Promise<UploadOutcome> {
    const reporting = await target();
    if (reporting === null) return { sent: 0, waiting: (await usage.outbox()).length, error: 'reporting is off' };
    const header: ReportHeader = { ...reporting.header, ...client };
    // While the collector is away, busy or refuses the token, the counters keep adding up in place instead
    // of piling one batch per attempt into the outbox. A batch refused for its own body holds nothing back:
    // the collector is there and takes the others. "Send now" always cuts: IT wants today's numbers.
    const failing = (await usage.outbox()).some((batch) => batch.failures > 0 && batch.refused !== true);
    if (force || !failing) {
      await usage.moveToOutbox(
        (counts, promised, marked) => buildBatches(counts, header, batchIds(promised), marked),
        now(),
      );
    }
    let sent = 0;
    let firstError: string | null = null;
    for (const batch of await usage.outbox()) {
      if (!force && batch.nextAttemptAt > now()) continue;
      const result = await post(reporting, batch);
      if (result.ok) {
        await usage.sent(batch.batchId);
        await lastSentAt.set(now());
        sent++;
        continue;
      }
      firstError ??= result.error;
      const failures = batch.failures + 1;
      const delay = result.retryAfterMs ?? uploadRetryDelayMs(failures, random());
      await usage.failed(batch.batchId, {
        failures,
        nextAttemptAt: now() + delay,
        lastError: result.error,
        refused: !result.stop,
      });
      // The collector is down or busy: the other batches would fare no better now.
      if (result.stop) break;
    }
    const waiting = await usage.outbox();
    await scheduleRetry(waiting);
    return { sent, waiting: waiting.length, error: firstError };
  }

  /** Batch ids for one cut: the promised one first (when there is one), then new ones. */
  function batchIds(first: string | null): () => string {
    let next = first;
    return () => {
      const id = next ?? newBatchId();
      next = null;
      return id;
    };
  }

  async function scheduleRetry(waiting: readonly OutboxBatch[]): Promise<void> {
    if (waiting.length === 0) {
      await browser.alarms.clear(UPLOAD_RETRY_ALARM);
      return;
    }
    const when = Math.max(now() + 30_000, Math.min(...waiting.map((batch) => batch.nextAttemptAt)));
    await browser.alarms.create(UPLOAD_RETRY_ALARM, { when });
  }

  async function post(
    reporting: ReportingTarget,
    batch: OutboxBatch,
  ): Promise<{ ok: true } | { ok: false; error: string; retryAfterMs: number | null; stop: boolean }> {
    let response: Response;
    try {
      response = await fetchFn(reporting.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(reporting.token !== null && { Authorization: `Bearer ${reporting.token}` }),
        },
        body: batch.body,
        credentials: 'omit',
        cache: 'no-store',
        redirect: 'error',
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { ok: false, error: `could not reach ${reporting.url}: ${reason}`, retryAfterMs: null, stop: true };
    }
    if (response.ok) return { ok: true };
    const detail = (await response.text().catch(() => '')).slice(0, 300);
    const error = `${reporting.url} answered ${response.status}${detail === '' ? '' : `: ${detail}`}`;
    const retryAfter = response.status === 429 ? retryAfterMs(response.headers.get('Retry-After'), now()) : null;
    // 429, 5xx, 401 (the token is the same for every batch) and 421 (so is the collector's address): the others
    // would fare no better now. 400 and 413 are about this batch; the others may still go.
    const stop = [401, 421, 429].includes(response.status) || response.status >= 500;
    return { ok: false, error, retryAfterMs: retryAfter, stop };
  }

  /**
   * What the options page shows: the exact bodies waiting in the outbox, and the bodies the live
   * counters would make now (the first with the batchId it will really get); null when reporting is off.
   */
  async function preview(): Promise<UploadPreview | null> {
    const reporting = await target();
    if (reporting === null) return null;
    const live = await usage.list();
    const header: ReportHeader = { ...reporting.header, ...client };
    const next =
      live.length === 0
        ? []
        : buildBatches(live, header, batchIds(await usage.promiseNextBatchId(newBatchId)), await usage.marks()).batches;
    const lastSent = await lastSentAt.get();
    return {
      collectorHost: new URL(reporting.url).host,
      lastSentAt: lastSent,
      nextUploadAt: (await browser.alarms.get(UPLOAD_ALARM))?.scheduledTime ?? null,
      waiting: await usage.outbox(),
      next: next.map((batch) => batch.body),
    };
  }

  /**
   * Counts belong to the policy revision and group they were counted under: when either changes,
   * the live counters are cut into the outbox under the old ones first, so the dashboard can compare
   * revisions truthfully.
   */
  async function headerChanged(current: ReportingTarget['header']): Promise<void> {
    const previous = (await usage.liveHeader()) as ReportingTarget['header'] | undefined;
    if (previous?.policyRevision === current.policyRevision && previous.group === current.group) return;
    if (previous !== undefined) {
      const header: ReportHeader = { ...previous, ...client };
      await usage.moveToOutbox(
        (counts, promised, marked) => buildBatches(counts, header, batchIds(promised), marked),
        now(),
      );
    }
    await usage.setLiveHeader(current);
  }

  return { schedule, onAlarm, upload, preview, headerChanged };
}
