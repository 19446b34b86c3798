/**
 * Ingestion: a batch of reports in one IMMEDIATE transaction (the write lock is taken before any batchId
 * is looked up, so two writers cannot both see one as new). Each report's counts are tallied in memory
 * first, then written as a few statements: one per cell of the counts, and a row a day, group and
 * revision of the rollups (schema.ts).
 */
import type Database from 'better-sqlite3';
import type { Report } from '../../lib/protocol/report-schema';
import { USAGE_KINDS, type IngestResult } from '../store';
import { eachKind, EVERY_REVISION, KIND_INDEX, kindValues, uuidBytes, zeros, type KindTotals } from './schema';

/** What the reports of one transaction add to a cell, written with one UPDATE (or INSERT, for a new cell). */
interface Cell {
  readonly day: string;
  readonly tool: string;
  readonly event: string;
  readonly group: string;
  readonly policyRevision: string;
  n: number;
  batches: number;
  /** The index of the last report that added to the cell. */
  lastReport: number;
}

/** What the reports of one transaction add to a row of usage_days; per kind, in USAGE_KINDS order. */
interface Usage {
  readonly day: string;
  readonly group: string;
  readonly policyRevision: string;
  readonly n: number[];
  readonly batches: number[];
  /** The index of the last report that added to each kind. */
  readonly lastReport: number[];
}

/** What the reports of one transaction add, before a statement is run. */
interface Tally {
  readonly results: IngestResult[];
  readonly cells: Map<string, Cell>;
  readonly usages: Map<string, Usage>;
}

// Long: the statements of one transaction, prepared once; the steps that run them are short functions.
export function createIngest(db: Database.Database, isSanctioned: (tool: string) => boolean) {
  const insertBatch = db.prepare<[Buffer]>('INSERT OR IGNORE INTO batches (id) VALUES (?)');
  const selectBatch = db.prepare<[Buffer]>('SELECT 1 FROM batches WHERE id = ?').pluck();
  // Most cells exist after the first days, so an UPDATE alone finds them: one B-tree search where an upsert
  // (INSERT ... ON CONFLICT DO UPDATE) makes two. bench/collector-bench.ts: about a tenth less time per report.
  const addToCount = db.prepare<[number, number, string, string, string, string, string]>(
    `UPDATE counts SET n = n + ?, batches = batches + ?
     WHERE day = ? AND tool = ? AND event = ? AND grp = ? AND policy_revision = ?`,
  );
  const insertCount = db.prepare<[string, string, string, string, string, number, number]>(
    'INSERT INTO counts (day, tool, event, grp, policy_revision, n, batches) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  // The rollups get a few rows a transaction (a row a day, group and revision), so an upsert costs little; the
  // visits of every tool of a month go in one statement, SQLite walking the JSON.
  const addToVisitMonths = db.prepare<{ month: string; revision: string; visits: string }>(
    `INSERT INTO visit_months (month, policy_revision, tool, n)
     SELECT @month, @revision, key, value FROM json_each(@visits) WHERE true
     ON CONFLICT DO UPDATE SET n = n + excluded.n`,
  );
  const addToUsageDay = db
    .prepare<(string | number)[], number[]>(
      `INSERT INTO usage_days VALUES (?, ?, ?, ${eachKind(() => '?, ?')})
       ON CONFLICT DO UPDATE SET
         ${eachKind((kind) => `${kind}_n = ${kind}_n + excluded.${kind}_n, ${kind}_batches = ${kind}_batches + excluded.${kind}_batches`)}
       RETURNING ${eachKind((kind) => `${kind}_batches`)}`,
    )
    .raw();
  const addToUsageMonth = db.prepare<(string | number)[]>(
    `INSERT INTO usage_months VALUES (?, ?, ?, ${eachKind(() => '?, ?')})
     ON CONFLICT DO UPDATE SET
       ${eachKind((kind) => `${kind}_n = ${kind}_n + excluded.${kind}_n, ${kind}_batches = max(${kind}_batches, excluded.${kind}_batches)`)}`,
  );
  const addKnownGroup = db.prepare<[string]>('INSERT OR IGNORE INTO known_groups (grp) VALUES (?)');
  const addKnownRevision = db.prepare<[string, string]>(
    `INSERT INTO known_revisions (policy_revision, first_day) VALUES (?, ?)
     ON CONFLICT DO UPDATE SET first_day = min(first_day, excluded.first_day)`,
  );

  /** The reports' counts added up per cell and per rollup row; a batchId already stored is a duplicate. */
  function tally(reports: readonly Report[]): Tally {
    const cells = new Map<string, Cell>();
    const usages = new Map<string, Usage>();
    const results = reports.map((report, index): IngestResult => {
      if (insertBatch.run(uuidBytes(report.batchId)).changes === 0) return 'duplicate';
      const group = report.group ?? '';
      const { policyRevision } = report;
      // Day, tool and event hold no space; group and revision may hold anything, so the group's length says
      // where it ends ("a b" + "c" and "a" + "b c" are two cells).
      const groupAndRevision = `${group.length} ${group}${policyRevision}`;
      const usagesOfReport = new Map<string, Usage>();
      for (const { day, tool, event, n } of report.counts) {
        const key = `${day} ${tool} ${event} ${groupAndRevision}`;
        const cell = cells.get(key);
        if (cell === undefined) {
          cells.set(key, { day, tool, event, group, policyRevision, n, batches: 1, lastReport: index });
        } else {
          cell.n += n;
          // A batch adds 1 to a cell's batch count however many of its entries fall into the cell.
          if (cell.lastReport !== index) {
            cell.batches += 1;
            cell.lastReport = index;
          }
        }
        let usage = usagesOfReport.get(day);
        if (usage === undefined) {
          const usageKey = `${day} ${groupAndRevision}`;
          usage = usages.get(usageKey);
          if (usage === undefined) {
            usage = { day, group, policyRevision, n: zeros(), batches: zeros(), lastReport: zeros() };
            usage.lastReport.fill(-1);
            usages.set(usageKey, usage);
          }
          usagesOfReport.set(day, usage);
        }
        const kind = KIND_INDEX[event !== 'visit' ? event : isSanctioned(tool) ? 'sanctioned' : 'shadow'];
        (usage.n[kind] as number) += n;
        // Likewise a batch adds 1 to a kind of a day however many tools it names there.
        if (usage.lastReport[kind] !== index) {
          (usage.batches[kind] as number) += 1;
          usage.lastReport[kind] = index;
        }
      }
      return 'accepted';
    });
    return { results, cells, usages };
  }

  /** The counts' cells, and the visits of each month's tools. */
  function writeCells(cells: Map<string, Cell>): void {
    const visitMonths = new Map<string, { month: string; policyRevision: string; visits: Map<string, number> }>();
    for (const { day, tool, event, group, policyRevision, n, batches } of cells.values()) {
      if (addToCount.run(n, batches, day, tool, event, group, policyRevision).changes === 0) {
        insertCount.run(day, tool, event, group, policyRevision, n, batches);
      }
      if (event !== 'visit') continue;
      const month = day.slice(0, 7);
      // The month's length is fixed, so the revision after it ends the key.
      const key = `${month}${policyRevision}`;
      let visitMonth = visitMonths.get(key);
      if (visitMonth === undefined) visitMonths.set(key, (visitMonth = { month, policyRevision, visits: new Map() }));
      visitMonth.visits.set(tool, (visitMonth.visits.get(tool) ?? 0) + n);
    }
    for (const { month, policyRevision, visits } of visitMonths.values()) {
      addToVisitMonths.run({ month, revision: policyRevision, visits: JSON.stringify(Object.fromEntries(visits)) });
    }
  }

  /** The rollup rows of each day, group and revision, of every revision added up, of their months, and the filters' lists. */
  function writeUsages(usages: Map<string, Usage>): void {
    const months = new Map<string, KindTotals & { month: string; group: string; policyRevision: string }>();
    /** Adds to a row of usage_days, and the row's new batches to its month's largest day. */
    const addToDayAndMonth = (day: string, group: string, policyRevision: string, totals: KindTotals): void => {
      const dayBatches = addToUsageDay.get(day, group, policyRevision, ...kindValues(totals)) as number[];
      const month = day.slice(0, 7);
      const key = `${month} ${group.length} ${group}${policyRevision}`;
      let inMonth = months.get(key);
      if (inMonth === undefined) {
        months.set(key, (inMonth = { month, group, policyRevision, n: zeros(), batches: zeros() }));
      }
      for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
        (inMonth.n[kind] as number) += totals.n[kind] as number;
        inMonth.batches[kind] = Math.max(inMonth.batches[kind] as number, dayBatches[kind] as number);
      }
    };
    // Batches of different revisions are different batches: their days add up.
    const everyRevision = new Map<string, KindTotals & { day: string; group: string }>();
    const groups = new Set<string>();
    const firstDays = new Map<string, string>();
    for (const usage of usages.values()) {
      const { day, group, policyRevision } = usage;
      addToDayAndMonth(day, group, policyRevision, usage);
      // The day's length is fixed, so what follows it ends the key.
      let every = everyRevision.get(`${day}${group}`);
      if (every === undefined)
        everyRevision.set(`${day}${group}`, (every = { day, group, n: zeros(), batches: zeros() }));
      for (let kind = 0; kind < USAGE_KINDS.length; kind++) {
        (every.n[kind] as number) += usage.n[kind] as number;
        (every.batches[kind] as number) += usage.batches[kind] as number;
      }
      if (group !== '') groups.add(group);
      const firstDay = firstDays.get(policyRevision);
      if (firstDay === undefined || day < firstDay) firstDays.set(policyRevision, day);
    }
    for (const every of everyRevision.values()) addToDayAndMonth(every.day, every.group, EVERY_REVISION, every);
    for (const inMonth of months.values()) {
      addToUsageMonth.run(inMonth.month, inMonth.group, inMonth.policyRevision, ...kindValues(inMonth));
    }
    for (const group of groups) addKnownGroup.run(group);
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
