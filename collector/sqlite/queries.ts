/**
 * The cells (usage_days) as stored, before anything is withheld: what collector/release.ts decides on (shown.ts);
 * the lists of the dashboard's filters; the revisions served.
 */
import type Database from 'better-sqlite3';
import type { GroupCell } from '../release';
import type { CollectorStore } from '../store';
import { eachKind, usageOf } from './schema';

type Queries = Pick<
  CollectorStore,
  | 'dashboardLists'
  | 'usageCells'
  | 'addServedRevision'
  | 'hasServedRevision'
  | 'knowsGroup'
  | 'groupCount'
  | 'knowsRevision'
  | 'revisionCount'
>;

export function createQueries(db: Database.Database): Queries {
  const knownGroups = db.prepare<[], string>('SELECT grp FROM known_groups ORDER BY grp').pluck();
  const knownRevisions = db
    .prepare<[], string>('SELECT policy_revision FROM known_revisions ORDER BY first_day DESC, policy_revision DESC')
    .pluck();
  // Rows as arrays: a key, then each kind's (n, people).
  const cellsOfDays = db
    .prepare<{ from: string; to: string }, unknown[]>(
      `SELECT day, grp, policy_revision, ${eachKind((kind) => `${kind}_n, ${kind}_people`)} FROM usage_days
       INDEXED BY usage_days_by_day WHERE day BETWEEN @from AND @to ORDER BY day`,
    )
    .raw();

  const addServedRevision = db.prepare<[string]>('INSERT OR IGNORE INTO served_revisions VALUES (?)');
  const hasServedRevision = db.prepare<[string]>('SELECT 1 FROM served_revisions WHERE policy_revision = ?').pluck();

  const knowsGroup = db.prepare<[string]>('SELECT 1 FROM known_groups WHERE grp = ?').pluck();
  const groupCount = db.prepare<[], number>('SELECT COUNT(*) FROM known_groups').pluck();
  const knowsRevision = db.prepare<[string]>('SELECT 1 FROM known_revisions WHERE policy_revision = ?').pluck();
  const revisionCount = db.prepare<[], number>('SELECT COUNT(*) FROM known_revisions').pluck();

  return {
    knowsGroup: (group) => knowsGroup.get(group) !== undefined,
    groupCount: () => groupCount.get() as number,
    knowsRevision: (revision) => knowsRevision.get(revision) !== undefined,
    revisionCount: () => revisionCount.get() as number,
    addServedRevision: (revision) => void addServedRevision.run(revision),
    hasServedRevision: (revision) => hasServedRevision.get(revision) !== undefined,
    dashboardLists: () => ({ groups: knownGroups.all(), revisions: knownRevisions.all() }),
    usageCells: (from, to) =>
      cellsOfDays.all({ from, to }).flatMap((row) => {
        const group = row[1] === '' ? null : (row[1] as string);
        const [day, revision] = [row[0] as string, row[2] as string];
        return usageOf(row, 3).map((usage): GroupCell => ({ day, group, revision, ...usage }));
      }),
  };
}
