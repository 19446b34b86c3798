/**
 * Which groups and policy revisions the collector takes (docs/spec/report-protocol.md "Groups and revisions"): those of
 * `daylight serve --groups` and those of the policy it served, when it has them; else any, up to a bound, so that
 * made-up names cannot grow the database and the dashboard's lists without end.
 */
import type { CollectorStore } from './store';

/** Groups a collector without --groups takes; past it, only those it already knows. */
export const MAX_GROUPS = 1_000;
/** Revisions a collector without --policy takes; past it, only those it already knows. */
export const MAX_REVISIONS = 1_000;

export interface UnknownValues {
  /** Why a report's group is not taken, as a 400's error; null when it is. */
  readonly group: (group: string) => string | null;
  readonly revision: (revision: string) => string | null;
}

/** `groups`: those of --groups, or null; `served`: whether the policy served had a revision, or null without one. */
export function unknownValues(
  store: CollectorStore,
  groups: ReadonlySet<string> | null,
  served: ((revision: string) => boolean) | null,
): UnknownValues {
  return {
    group(group) {
      if (groups !== null) {
        return groups.has(group) ? null : 'group: not one of the groups this collector knows (daylight serve --groups)';
      }
      if (store.knowsGroup(group) || store.groupCount() < MAX_GROUPS) return null;
      return `group: this collector already knows ${MAX_GROUPS.toLocaleString('en-US')} groups and takes no new one without a list of them (daylight serve --groups)`;
    },
    revision(revision) {
      if (served !== null) {
        return served(revision)
          ? null
          : 'policyRevision: not a revision of the policy this collector has served (daylight serve --policy)';
      }
      if (store.knowsRevision(revision) || store.revisionCount() < MAX_REVISIONS) return null;
      return `policyRevision: this collector already knows ${MAX_REVISIONS.toLocaleString('en-US')} revisions and takes no new one without the policy it serves (daylight serve --policy)`;
    },
  };
}
