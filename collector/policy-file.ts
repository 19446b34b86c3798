/**
 * The policy the collector serves at GET /v1/policy (docs/spec/managed-config.md `policyUrl`),
 * and its signature at /v1/policy.sig (FILE.sig beside it: base64 of an Ed25519
 * signature over the exact bytes, so the bytes are served as they are on disk).
 *
 * IT edits the file without restarting: the directory is watched (editors save by
 * renaming a new file over the old one, which a watch on the file itself misses)
 * and the pair is read again. A file that is not a valid policy is refused at
 * start, and later keeps the last valid one in force, with its errors logged.
 */
import { createHash } from 'node:crypto';
import { watch, readFileSync, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { BUNDLED_CATALOG } from '../lib/policy/bundled';
import { formatProblem, parsePolicyText } from '../lib/policy/validate';
import { BASE_HEADERS, reply, replyJson, type Exchange } from './http';
import type { Log } from './log';

export interface ServedFile {
  readonly body: Buffer;
  /** A strong ETag: the SHA-256 of the bytes. */
  readonly etag: string;
}

export interface PolicySnapshot {
  readonly policy: ServedFile;
  readonly revision: string;
  /** null when there is no FILE.sig. */
  readonly signature: ServedFile | null;
}

/** Editors write a file in several steps; one read after they settle. */
const SETTLE_MS = 50;

const served = (body: Buffer): ServedFile => ({
  body,
  etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
});

type Loaded = { ok: true; snapshot: PolicySnapshot } | { ok: false; errors: string[] };

function load(file: string): Loaded {
  let body: Buffer;
  try {
    body = readFileSync(file);
  } catch (error) {
    return { ok: false, errors: [`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`] };
  }
  const result = parsePolicyText(body.toString('utf8'), BUNDLED_CATALOG);
  if (!result.ok) return { ok: false, errors: result.errors.map(formatProblem) };
  let signature: ServedFile | null = null;
  try {
    signature = served(readFileSync(`${file}.sig`));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      return {
        ok: false,
        errors: [`cannot read ${file}.sig: ${(error as NodeJS.ErrnoException).code ?? String(error)}`],
      };
    }
  }
  return { ok: true, snapshot: { policy: served(body), revision: result.policy.revision, signature } };
}

export class PolicyFile {
  #snapshot: PolicySnapshot;
  readonly #watcher: FSWatcher;
  #settle: NodeJS.Timeout | undefined;

  /** Throws, naming every error with its JSON path, when the file is not a valid policy now. */
  constructor(
    readonly file: string,
    private readonly log: Log,
  ) {
    const loaded = load(file);
    if (!loaded.ok) throw new Error(`${file} is not a valid policy:\n  ${loaded.errors.join('\n  ')}`);
    this.#snapshot = loaded.snapshot;
    const names = new Set([basename(file), `${basename(file)}.sig`]);
    this.#watcher = watch(dirname(file), { persistent: false }, (_event, name) => {
      if (name !== null && !names.has(name)) return;
      clearTimeout(this.#settle);
      this.#settle = setTimeout(() => this.#reload(), SETTLE_MS);
      this.#settle.unref();
    });
    // An unhandled 'error' (Windows reports the directory removed as one) would end the process; the last valid
    // policy stays in force.
    this.#watcher.on('error', (error) => {
      this.log({ level: 'error', msg: 'cannot watch the policy file any more', file, error: error.message });
    });
  }

  get current(): PolicySnapshot {
    return this.#snapshot;
  }

  #reload(): void {
    const loaded = load(this.file);
    if (!loaded.ok) {
      this.log({
        level: 'error',
        msg: 'the policy file is not valid; still serving the last valid one',
        file: this.file,
        revision: this.#snapshot.revision,
        errors: loaded.errors,
      });
      return;
    }
    const before = this.#snapshot;
    this.#snapshot = loaded.snapshot;
    if (
      before.policy.etag !== loaded.snapshot.policy.etag ||
      before.signature?.etag !== loaded.snapshot.signature?.etag
    ) {
      this.log({ level: 'info', msg: 'policy reloaded', file: this.file, revision: loaded.snapshot.revision });
    }
  }

  close(): void {
    clearTimeout(this.#settle);
    this.#watcher.close();
  }
}

/** If-None-Match compares weakly (RFC 9110 §13.1.2): W/"x" matches "x". */
function matchesEtag(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag);
}

/** GET of the policy or its signature, with its ETag: 304 when the fleet has it already. */
export function serveFile(ex: Exchange, file: ServedFile | null, contentType: string): void {
  if (file === null) {
    replyJson(ex, 404, { error: 'not served here' });
    return;
  }
  // no-cache: kept, but asked again each time, so an edit reaches the fleet at its next refresh.
  const headers = { ...BASE_HEADERS, 'cache-control': 'no-cache', etag: file.etag };
  const ifNoneMatch = ex.req.headers['if-none-match'];
  if (ifNoneMatch !== undefined && matchesEtag(ifNoneMatch, file.etag)) {
    reply(ex, 304, headers, '');
    return;
  }
  reply(ex, 200, { ...headers, 'content-type': contentType, 'content-length': file.body.length }, file.body);
}
