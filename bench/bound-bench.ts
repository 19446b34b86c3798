/**
 * Bounds part of `npm run bench` (bundled by bench/run.mjs with better-sqlite3 left external): the dashboard of a
 * collector that an insider with the fleet's reporting token tried to flood with made-up groups and revisions.
 *
 *   node bench/.data/bound-bench.js
 *
 * A collector without `--groups` and `--policy` takes at most 1,000 of each (collector/known-values.ts). The
 * attacker posts ATTEMPTS reports, each naming a group and a revision of its own; then the dashboard is asked for
 * ROUNDS times. Reported: how many reports were taken and refused, the dashboard's JSON size and its time (p50, p99).
 * Exits non-zero when more than the bound was taken.
 *
 * Progress goes to stderr, the result as one JSON line to stdout.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MAX_GROUPS, MAX_REVISIONS } from '../collector/known-values';
import { startCollector } from '../collector/server';

const ATTEMPTS = 3000;
const ROUNDS = 30;
const ADMIN_TOKEN = 'bench-admin-token-not-secret';

const progress = (message: string) => process.stderr.write(`[bound-bench] ${message}\n`);
const today = new Date().toISOString().slice(0, 10);

const dataDir = mkdtempSync(path.join(tmpdir(), 'daylight-bound-bench-'));
try {
  const collector = await startCollector({
    port: 0,
    dataDir,
    adminToken: ADMIN_TOKEN,
    reportingToken: null,
    log: () => undefined,
  });
  try {
    const statuses = new Map<number, number>();
    for (let i = 0; i < ATTEMPTS; i++) {
      const answer = await fetch(`${collector.url}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          schemaVersion: 1,
          batchId: randomUUID(),
          policyRevision: `made-up-revision-${i}`,
          client: { browser: 'chrome' },
          group: `made-up-group-${i}`,
          counts: [{ day: today, tool: 'chatgpt', event: 'visit', n: 1, person: 1 }],
          people: [
            { day: today, kind: 'any' },
            { day: today, kind: 'other' },
          ],
        }),
      });
      await answer.arrayBuffer();
      statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
    }
    const taken = statuses.get(202) ?? 0;
    progress(`${ATTEMPTS} reports of a group and revision each: ${JSON.stringify(Object.fromEntries(statuses))}`);

    const login = await fetch(`${collector.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
      redirect: 'manual',
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const samples: number[] = [];
    let bytes = 0;
    let lists = { groups: 0, revisions: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      const started = performance.now();
      const answer = await fetch(`${collector.url}/api/v1/dashboard`, { headers: { cookie } });
      const text = await answer.text();
      samples.push(performance.now() - started);
      bytes = Buffer.byteLength(text);
      const dashboard = JSON.parse(text) as { groups: unknown[]; revisions: unknown[] };
      lists = { groups: dashboard.groups.length, revisions: dashboard.revisions.length };
    }
    samples.sort((a, b) => a - b);
    const p50 = samples[Math.floor(samples.length / 2)] as number;
    const p99 = samples[Math.min(samples.length - 1, Math.ceil(0.99 * samples.length) - 1)] as number;
    progress(`dashboard: ${bytes} bytes, ${lists.groups} groups, ${lists.revisions} revisions; p50 ${p50} ms`);
    process.stdout.write(
      `${JSON.stringify({ attempts: ATTEMPTS, taken, statuses: Object.fromEntries(statuses), dashboardBytes: bytes, lists, p50, p99, rounds: ROUNDS })}\n`,
    );
    if (taken > Math.min(MAX_GROUPS, MAX_REVISIONS)) process.exitCode = 1;
  } finally {
    await collector.close();
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
