/**
 * Everything the background keeps in extension storage, each item declared once with its type and
 * fallback (stored-items.ts). The policy itself, its compiled index and the fetch state live in
 * IndexedDB (policy-store.ts), the counters and the outbox too (usage-store.ts).
 *
 * storage.local outlives the browser: the managed values, cached so that start-up never waits on
 * storage.managed (docs/browsers.md "Managed storage": its first call blocks ~3 s), and which policy
 * the installed DNR rules came from. storage.session ends with the browser, as snoozes, passes and
 * what a tab shows do.
 */
import { defineItem, type StorageArea, type StoredItem } from './stored-items';

/** "Continue" on a warning let `tool` through until `until`. */
export interface Snooze {
  readonly until: number;
  readonly ruleIds: readonly number[];
  /** snoozeMinutes 0: for the one page Continue opened. */
  readonly once: boolean;
  /** The person closed the banner for this tool; it stays closed until the snooze ends. */
  readonly bannerDismissed?: boolean;
}

/** What the counting remembers about a tab between events and worker lives. */
export interface TabState {
  /** The tool of the tab's page, so a same-document navigation counts only on entering a tool. */
  readonly tool: string | null;
  /** The redirect page of tool `from` is showing; reaching tool `to` next counts as "redirected". */
  readonly redirect: { readonly from: string; readonly to: string } | null;
  /**
   * The tool whose nudge the extension is sending this tab to (its DNR redirect, or the second line's
   * tabs.update): only then does the nudge page's commit count. A page that navigates a tab to the
   * nudge page itself counts nothing (docs/spec/report-protocol.md "What is counted").
   */
  readonly nudging: string | null;
  /** The tools whose nudge the extension showed in this tab: Continue is accepted for these only. */
  readonly nudged: readonly string[];
}

/** What the counting remembers about one frame of a tab (a tool framed by another site). */
export interface FrameState {
  /** The tool of the frame's page, so a same-document navigation counts only on entering a tool. */
  readonly tool: string | null;
  /** The tool whose framed nudge the extension is sending this frame to: only then does its commit count. */
  readonly nudging: string | null;
  /** The tool whose framed nudge the extension showed here: "Open in a tab" is accepted for it only. */
  readonly nudged: string | null;
}

/** The frames of a tab's page: what each remembers, and what they counted, since the page loaded. */
export interface TabFrames {
  /** By frame id: the frames that showed a tool or its framed nudge. */
  readonly byFrame: Readonly<Record<string, FrameState>>;
  /**
   * `tool event` counted from a frame of this page: frames count once per page and tool, so a page cannot
   * book a person a hundred visits with a hundred hidden frames (docs/spec/report-protocol.md).
   */
  readonly counted: readonly string[];
}

export const NO_TAB_FRAMES: TabFrames = { byFrame: {}, counted: [] };

export const NO_TAB_STATE: TabState = { tool: null, redirect: null, nudging: null, nudged: [] };

export interface BackgroundState {
  /** The managed values as last read from storage.managed; {} before the first read. */
  readonly managedCache: StoredItem<unknown>;
  /** What the installed DNR rules were built from (a digest), or null before any install. */
  readonly installedRules: StoredItem<string | null>;
  /** What of those rules the browser could not take (a regex past its limit), said to the person; or null. */
  readonly installedRulesNote: StoredItem<string | null>;
  /** Tool id → its snooze. */
  readonly snoozes: StoredItem<Readonly<Record<string, Snooze>>>;
  /** Tab id, or `tab:frame` ids → the session rule ids of its one-time pass (nudge:pass, frame:pass). */
  readonly passes: StoredItem<Readonly<Record<string, readonly number[]>>>;
  /** Tab id → the tool it was let through to once (snoozeMinutes 0), until it loads another tool. */
  readonly continuedTabs: StoredItem<Readonly<Record<string, string>>>;
  /** One item per tab (tabs change at once, and one shared map would lose writes). */
  tab(tabId: number | string): StoredItem<TabState>;
  /** The frames of a tab's page; one item per tab, dropped when the tab loads another page. */
  frames(tabId: number | string): StoredItem<TabFrames>;
}

// `areas`, not `storage`: WXT's auto-import took a parameter of that name for its storage module (11 kB more).
export function backgroundState(areas: {
  readonly local: StorageArea;
  readonly session: StorageArea;
}): BackgroundState {
  // One worker life: the keys whose stored version was already looked at.
  const checked = new Set<string>();
  return {
    managedCache: defineItem<unknown>(areas.local, 'managedConfigCache', { fallback: {} }, checked),
    installedRules: defineItem<string | null>(areas.local, 'installedRulesKey', { fallback: null }, checked),
    installedRulesNote: defineItem<string | null>(areas.local, 'installedRulesNote', { fallback: null }, checked),
    snoozes: defineItem<Readonly<Record<string, Snooze>>>(areas.session, 'snoozes', { fallback: {} }, checked),
    passes: defineItem<Readonly<Record<string, readonly number[]>>>(areas.session, 'passes', { fallback: {} }, checked),
    continuedTabs: defineItem<Readonly<Record<string, string>>>(
      areas.session,
      'continuedTabs',
      { fallback: {} },
      checked,
    ),
    tab: (tabId) => defineItem<TabState>(areas.session, `tab:${tabId}`, { fallback: NO_TAB_STATE }, checked),
    frames: (tabId) => defineItem<TabFrames>(areas.session, `frames:${tabId}`, { fallback: NO_TAB_FRAMES }, checked),
  };
}
