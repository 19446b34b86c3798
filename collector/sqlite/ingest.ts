/**
 * Ingestion: a batch of reports in one IMMEDIATE transaction (the write lock is taken before any batchId
 * is looked up, so two writers cannot both see one as new). Each report's counts and people marks are tallied
 * in memory first, then written as a few statements: one per cell of the counts, and a row a day, group and
 * revision of the rollups (schema.ts).
 */
import type Database from 'better-sqlite3';
import type { Report } from '../../lib/protocol/report-schema';
import { MARK_KIND, usageKindOf, type IngestResult } from '../store';
import { eachKind, EVERY_REVISION, KIND_INDEX, kindValues, uuidBytes, zeros, type KindTotals } from './schema';

/** What the reports of one transaction add to a cell, written with one UPDATE (or INSERT, for a new cell). */
interface Cell {
  readonly day: string;
  readonly tool: string;
  readonly event: string;
  readonly group: string;
  readonly policyRevision: string;
  readonly sanctioned: boolean;
  n: number;
  people: number;
}

/** What the reports of one transaction add to a row of usage_days (per kind, in USAGE_KINDS order) and active_days. */
interface Usage extends KindTotals {
  readonly day: string;
  readonly group: string;
  readonly policyRevision: string;
  active: number;
}

/** What the reports of one transaction add, before a statement is run. */
interface Tally {
  readonly results: IngestResult[];
  readonly cells: Map<string, Cell>;
  readonly usages: Map<string, Usage>;
}

// Long: the statements of one transaction, prepared once; the steps that run them are short functions.
export function createIngest(db: Database.Database) {
  const insertBatch = db.prepare<[Buffer, string]>('INSERT OR IGNORE INTO batches (id, day) VALUES (?, ?)');
  const selectBatch = db.prepare<[Buffer]>('SELECT 1 FROM batches WHERE id = ?').pluck();
  // Most cells exist after the first days, so an UPDATE alone finds them: one B-tree search where an upsert
  // (INSERT ... ON CONFLICT DO UPDATE) makes two. bench/collector-bench.ts: about a tenth less time per report.
  const addToCount = db.prepare<[number, number, string, string, string, string, string, number]>(
    `UPDATE counts SET n = n + ?, people = people + ?
     WHERE day = ? AND tool = ? AND event = ? AND grp = ? AND policy_revision = ? AND sanctioned = ?`,
  );
  const insertCount = db.prepare<[string, string, string, string, string, number, number, number]>(
    'INSERT INTO counts (day, tool, event, grp, policy_revision, sanctioned, n, people) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  // The rollups get a few rows a transaction (a row a day, group and revision), so an upsert costs little; the
  // visits of every tool of a month go in one statement, SQLite walking the JSON.
  const addToVisitMonths = db.prepare<{ month: string; revision: string; sanctioned: number; visits: string }>(
    `INSERT INTO visit_months (month, policy_revision, tool, sanctioned, n)
     SELECT @month, @revision, key, @sanctioned, value FROM json_each(@visits) WHERE true
     ON CONFLICT DO UPDATE SET n = n + excluded.n`,
  );
  const addToUsageDay = db.prepare<(string | number)[]>(
    `INSERT INTO usage_days VALUES (?, ?, ?, ${eachKind(() => '?, ?')})
     ON CONFLICT DO UPDATE SET
       ${eachKind((kind) => `${kind}_n = ${kind}_n + excluded.${kind}_n, ${kind}_people = ${kind}_people + excluded.${kind}_people`)}`,
  );
  const markDirty = db.prepare<[string]>('INSERT OR IGNORE INTO dirty_days (day) VALUES (?)');
  const addToActiveDay = db.prepare<[string, string, string, number]>(
    `INSERT INTO active_days (day, grp, policy_revision, people) VALUES (?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET people = people + excluded.people`,
  );
  const addKnownGroup = db.prepare<[string]>('INSERT OR IGNORE INTO known_groups (grp) VALUES (?)');
  const addKnownRevision = db.prepare<[string, string]>(
    `INSERT INTO known_revisions (policy_revision, first_day) VALUES (?, ?)
     ON CONFLICT DO UPDATE SET first_day = min(first_day, excluded.first_day)`,
  );

  /** A usage row of the tally, made on first use. */
  function usageRow(usages: Map<string, Usage>, day: string, group: string, policyRevision: string): Usage {
    // The day's length is fixed; the group's length says where it ends ("a b" + "c" and "a" + "b c" differ).
    const key = `${day}${group.length} ${group}${policyRevision}`;
    let usage = usages.get(key);
    if (usage === undefined) {
      usages.set(key, (usage = { day, group, policyRevision, n: zeros(), people: zeros(), active: 0 }));
    }
    return usage;
  }

  /** The reports' counts and marks added up per cell and per rollup row; a batchId already stored is a duplicate. */
  function tally(reports: readonly Report[]): Tally {
    // The day (UTC) the batches arrive, which their ids are pruned by (retention.ts).
    const today = new Date().toISOString().slice(0, 10);
    const cells = new Map<string, Cell>();
    const usages = new Map<string, Usage>();
    const results = reports.map((report): IngestResult => {
      if (insertBatch.run(uuidBytes(report.batchId), today).changes === 0) return 'duplicate';
      const group = report.group ?? '';
      const { policyRevision } = report;
      const groupAndRevision = `${group.length} ${group}${policyRevision}`;
      for (const { day, tool, event, n, sanctioned = false, person = 0 } of report.counts) {
        // Day, tool and event hold no space, and the flag is one character.
        const key = `${day} ${tool} ${event} ${sanctioned ? 1 : 0}${groupAndRevision}`;
        const cell = cells.get(key);
        if (cell === undefined) {
          cells.set(key, { day, tool, event, group, policyRevision, sanctioned, n, people: person });
        } else {
          cell.n += n;
          cell.people += person;
        }
        const usage = usageRow(usages, day, group, policyRevision);
        (usage.n[KIND_INDEX[usageKindOf(event, sanctioned)]] as number) += n;
      }
      // parseReport checked that each mark's day and kind have counts in this report.
      for (const { day, kind } of report.people ?? []) {
        const usage = usageRow(usages, day, group, policyRevision);
        if (kind === 'any') usage.active += 1;
        else (usage.people[KIND_INDEX[MARK_KIND[kind]]] as number) += 1;
      }
      return 'accepted';
    });
    return { results, cells, usages };
  }

  /** The counts' cells, and the visits of each month's tools. */
  function writeCells(cells: Map<string, Cell>): void {
    const visitMonths = new Map<
      string,
      { month: string; policyRevision: string; sanctioned: boolean; visits: Map<string, number> }
    >();
    for (const { day, tool, event, group, policyRevision, sanctioned, n, people } of cells.values()) {
      const flag = sanctioned ? 1 : 0;
      if (addToCount.run(n, people, day, tool, event, group, policyRevision, flag).changes === 0) {
        insertCount.run(day, tool, event, group, policyRevision, flag, n, people);
      }
      if (event !== 'visit') continue;
      const month = day.slice(0, 7);
      // The month's length is fixed and the flag is one character, so the revision after them ends the key.
      const key = `${month}${flag}${policyRevision}`;
      let visitMonth = visitMonths.get(key);
      if (visitMonth === undefined) {
        visitMonths.set(key, (visitMonth = { month, policyRevision, sanctioned, visits: new Map() }));
      }
      visitMonth.visits.set(tool, (visitMonth.visits.get(tool) ?? 0) + n);
    }
    for (const { month, policyRevision, sanctioned, visits } of visitMonths.values()) {
      addToVisitMonths.run({
        month,
        revision: policyRevision,
        sanctioned: sanctioned ? 1 : 0,
        visits: JSON.stringify(Object.fromEntries(visits)),
      });
    }
  }

  /**
   * The rollup rows of each day, group and revision, the active people of every revision added up, the filters'
   * lists, and the days whose shown rows must be made anew (shown.ts).
   */
  function writeUsages(usages: Map<string, Usage>): void {
    // A device marks a day once under one revision only: the revisions' active people add up.
    const everyRevision = new Map<string, number>();
    const groups = new Set<string>();
    const days = new Set<string>();
    const firstDays = new Map<string, string>();
    for (const usage of usages.values()) {
      const { day, group, policyRevision } = usage;
      addToUsageDay.run(day, group, policyRevision, ...kindValues(usage));
      addToActiveDay.run(day, group, policyRevision, usage.active);
      const key = `${day}${group}`;
      everyRevision.set(key, (everyRevision.get(key) ?? 0) + usage.active);
      if (group !== '') groups.add(group);
      days.add(day);
      const firstDay = firstDays.get(policyRevision);
      if (firstDay === undefined || day < firstDay) firstDays.set(policyRevision, day);
    }
    // The day's length is fixed: the group follows it.
    for (const [key, active] of everyRevision)
      addToActiveDay.run(key.slice(0, 10), key.slice(10), EVERY_REVISION, active);
    for (const group of groups) addKnownGroup.run(group);
    for (const day of days) markDirty.run(day);
    for (const [policyRevision, day] of firstDays) addKnownRevision.run(policyRevision, day);
  }

  const ingestInTransaction = db.transaction((reports: readonly Report[]): IngestResult[] => {
    const { results, cells, usages } = tally(reports);
    writeCells(cells);
    writeUsages(usages);
    return results;
  });

  return {
    ingest: (reports: readonly Report[]): IngestResult[] => ingestInTransaction.immediate(reports),
    hasBatch: (batchId: string): boolean => selectBatch.get(uuidBytes(batchId)) !== undefined,
  };
}
