/**
 * Managed configuration as IT deploys it: a Chromium policy file that reaches the extension's
 * `storage.managed`. The file is machine-wide (every Chromium on this machine reads it, and CI runs as
 * root on a developer's machine), so it is written under one fixed name, removed even when a test
 * fails, and tests that write it run one at a time (the e2e project has fileParallelism: false).
 *
 * Chromium facts (docs/browsers.md "Managed storage"): keys missing from the extension's `managed_schema` are dropped
 * silently; the first `storage.managed.get()` after launch blocks ~3 s; edits to the file reach a
 * running browser in ~5 s as `storage.onChanged` with area `managed`. Write it before launching when
 * a test needs it from the start.
 */
import { existsSync, rmSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export const MANAGED_POLICY_FILE = '/etc/chromium/policies/managed/daylight-e2e.json';

/** Removes the policy file again; safe to call more than once. */
export type RemovePolicy = () => Promise<void>;

/** Files written and not yet removed: removed at process exit as a last resort (e.g. a test timed out). */
const written = new Set<string>();
process.once('exit', () => {
  for (const file of written) rmSync(file, { force: true });
});

/**
 * Writes `{"3rdparty":{"extensions":{"<extensionId>":config}}}` to the managed policy file.
 * `file` is for tests of this helper only; Chromium reads /etc/chromium/policies/managed.
 */
export function writeManagedPolicy(
  extensionId: string,
  config: Record<string, unknown>,
  file: string = MANAGED_POLICY_FILE,
): Promise<RemovePolicy> {
  const policy = { '3rdparty': { extensions: { [extensionId]: config } } };
  return writePolicyFile(file, `${JSON.stringify(policy, null, 2)}\n`);
}

/** Writes a whole Chromium policy file as given (e.g. what `daylight deploy` generated) under /etc. */
export async function writePolicyFile(file: string, content: string): Promise<RemovePolicy> {
  if (file.startsWith('/etc/') && process.getuid?.() !== 0) {
    throw new Error(
      `writing ${file} needs root: Chromium reads managed policies from /etc/chromium only. ` +
        'Run the e2e tests as root (CI does), or skip the tests that need managed policy.',
    );
  }
  await mkdir(dirname(file), { recursive: true });
  written.add(file);
  await writeFile(file, content);
  return async () => {
    await rm(file, { force: true });
    written.delete(file);
  };
}

/** The subset of vitest's hooks the fixture needs (pass vitest's own `afterEach` and `afterAll`). */
export interface CleanupHooks {
  afterEach(fn: () => Promise<void>): void;
  afterAll(fn: () => Promise<void>): void;
}

/**
 * Call at the top of a test file or `describe`; every policy `write()`n in a test is removed after
 * that test (pass or fail), and after the file as a second net. A file left over by a crashed run is
 * removed at the start, so it cannot leak into this run.
 *
 *   const policy = managedPolicyFixture({ afterEach, afterAll });
 *   it('...', async () => { await policy.write(DAYLIGHT_EXTENSION_ID, { policyUrl: '...' }); ... });
 */
export function managedPolicyFixture(
  hooks: CleanupHooks,
  file: string = MANAGED_POLICY_FILE,
): { write(extensionId: string, config: Record<string, unknown>): Promise<RemovePolicy> } {
  if (existsSync(file)) rmSync(file, { force: true });
  const removals: RemovePolicy[] = [];
  const removeAll = async (): Promise<void> => {
    await Promise.all(removals.splice(0).map((remove) => remove()));
  };
  hooks.afterEach(removeAll);
  hooks.afterAll(removeAll);
  return {
    async write(extensionId, config) {
      const remove = await writeManagedPolicy(extensionId, config, file);
      removals.push(remove);
      return remove;
    },
  };
}
