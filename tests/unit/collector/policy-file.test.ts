// @vitest-environment node
/** GET /v1/policy and /v1/policy.sig: the --policy file as it is on disk, with ETags, reloaded when edited. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { send, startTestCollector, testCollectors, type TestCollector } from '../../support/collector';
import { fakePolicy, fakeSanctioned } from '../../support/fake-policy';

let dir: string;
let policyFile: string;
const collectors = testCollectors();

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'daylight-policy-'));
  policyFile = join(dir, 'policy.json');
});
afterEach(async () => {
  await collectors.disposeAll();
  rmSync(dir, { recursive: true, force: true });
});

const collector = (): Promise<TestCollector> => collectors.start({ policyFile });

/** Pretty-printed, as IT writes it: the bytes served must be these, not a re-serialization. */
const policyText = (revision: string) => `${JSON.stringify(fakePolicy({ revision }), null, 2)}\n`;
const INVALID_POLICY = JSON.stringify(
  fakePolicy({
    rules: [{ category: 'chat', action: 'redirect', redirectTo: 'acme-gpt' }],
    sanctioned: [fakeSanctioned()],
  }),
);

/** Editors save by writing a new file and renaming it over the old one. */
function saveAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('GET /v1/policy', () => {
  it('serves the file byte for byte as JSON with a strong ETag, and 304 to If-None-Match', async () => {
    writeFileSync(policyFile, policyText('r1'));
    const server = await collector();
    const answer = await send(`${server.url}/v1/policy`);
    expect(answer.status).toBe(200);
    expect(answer.text).toBe(policyText('r1'));
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['cache-control']).toBe('no-cache');
    const etag = answer.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const cached = await send(`${server.url}/v1/policy`, { headers: { 'if-none-match': ifNoneMatch } });
      expect(cached.status, ifNoneMatch).toBe(304);
      expect(cached.text).toBe('');
      expect(cached.headers.etag).toBe(etag);
    }
    const stale = await send(`${server.url}/v1/policy`, { headers: { 'if-none-match': '"stale"' } });
    expect(stale.status).toBe(200);
  });

  it('serves FILE.sig at /v1/policy.sig when it exists, and 404 when it does not', async () => {
    writeFileSync(policyFile, policyText('r1'));
    const server = await collector();
    expect((await send(`${server.url}/v1/policy.sig`)).status).toBe(404);
    writeFileSync(`${policyFile}.sig`, 'c2lnbmF0dXJl\n');
    await waitFor(async () => (await send(`${server.url}/v1/policy.sig`)).status === 200, 'the signature');
    const signature = await send(`${server.url}/v1/policy.sig`);
    expect(signature.text).toBe('c2lnbmF0dXJl\n');
    expect(signature.headers['content-type']).toBe('text/plain; charset=utf-8');
    const cached = await send(`${server.url}/v1/policy.sig`, {
      headers: { 'if-none-match': signature.headers.etag as string },
    });
    expect(cached.status).toBe(304);
  });

  it('refuses to start with an invalid policy, naming each error with its JSON path', async () => {
    writeFileSync(policyFile, INVALID_POLICY);
    await expect(startTestCollector({ policyFile })).rejects.toThrow(
      `${policyFile} is not a valid policy:\n  rules[0].redirectTo: no sanctioned tool with id "acme-gpt"`,
    );
    await expect(startTestCollector({ policyFile: join(dir, 'missing.json') })).rejects.toThrow('ENOENT');
  });

  it('serves an edit without a restart', async () => {
    writeFileSync(policyFile, policyText('r1'));
    const server = await collector();
    const before = (await send(`${server.url}/v1/policy`)).headers.etag;
    saveAtomically(policyFile, policyText('r2'));
    await waitFor(async () => (await send(`${server.url}/v1/policy`)).text === policyText('r2'), 'the edit');
    expect((await send(`${server.url}/v1/policy`)).headers.etag).not.toBe(before);
    expect(server.logs).toContainEqual(expect.objectContaining({ msg: 'policy reloaded', revision: 'r2' }));
  });

  it('keeps serving the last valid policy after an invalid edit, and logs the error with its path', async () => {
    writeFileSync(policyFile, policyText('r1'));
    const server = await collector();
    saveAtomically(policyFile, INVALID_POLICY);
    await waitFor(() => server.logs.some((entry) => entry.level === 'error'), 'the error in the log');
    expect(server.logs.find((entry) => entry.level === 'error')).toMatchObject({
      msg: 'the policy file is not valid; still serving the last valid one',
      revision: 'r1',
      errors: ['rules[0].redirectTo: no sanctioned tool with id "acme-gpt"'],
    });
    expect((await send(`${server.url}/v1/policy`)).text).toBe(policyText('r1'));
    // Not JSON at all: the same.
    writeFileSync(policyFile, '{"schemaVersion": 1,');
    await waitFor(() => server.logs.filter((entry) => entry.level === 'error').length >= 2, 'the second error');
    expect((await send(`${server.url}/v1/policy`)).text).toBe(policyText('r1'));
    // Fixed: served again.
    saveAtomically(policyFile, policyText('r3'));
    await waitFor(async () => (await send(`${server.url}/v1/policy`)).text === policyText('r3'), 'the fixed policy');
  });
});
