/**
 * What "Continue" and the one-time pass let through (ARCHITECTURE.md "Continue, remembered"): a
 * snooze is session allow rules for one tool until a time, a pass is an allow rule for one URL in one
 * tab until that tab commits its next page. Both live in session rules and storage.session, so they
 * end with the browser.
 */
import { compilePassRule, compileSnoozeRules } from '../../lib/policy/dnr-rules';
import type { Decision, PolicyIndex } from '../../lib/policy/compile';
import { addSessionRules, removeSessionRules } from '../dnr';
import type { BackgroundContext } from './context';
import type { Snooze } from './state';

const SNOOZE_ALARM_PREFIX = 'snooze:';
/** With snoozeMinutes 0 the allow lasts for the one navigation "Continue" starts. */
const ONE_NAVIGATION_MS = 60_000;

export type Snoozes = ReturnType<typeof createSnoozes>;

/** Frame passes one tab holds at once, beside its page's own; a frame asking for another ends the oldest. */
const MAX_FRAME_PASSES = 4;

/** A tab's own pass is under its id (as stored before frames had passes); a frame's under `tab:frame`. */
const passKey = (tabId: number | string, frameId: number): string =>
  frameId === 0 ? String(tabId) : `${tabId}:${frameId}`;

// Long: a factory; the order of session rule changes it closes over is shared by the short functions inside.
export function createSnoozes({ browser, now, state }: BackgroundContext) {
  const dnr = browser.declarativeNetRequest;

  /** Session rule changes one after another: two at once would add the same rule ids. */
  let chain: Promise<unknown> = Promise.resolve();
  function inOrder(step: () => Promise<void>): Promise<void> {
    const run = chain.then(step, step);
    chain = run.catch(() => undefined);
    return run;
  }

  /** Takes the index it snoozes under as a parameter: waiting here for a load would deadlock with reconcile. */
  async function snoozeNow(tool: string, minutes: number, index: PolicyIndex): Promise<void> {
    const all = await state.snoozes.get();
    const previous = all[tool];
    if (previous !== undefined) await removeSessionRules(dnr, previous.ruleIds);
    const ruleIds = await addSessionRules(dnr, (firstId) => compileSnoozeRules(index, tool, firstId));
    const until = now() + (minutes === 0 ? ONE_NAVIGATION_MS : minutes * 60_000);
    await state.snoozes.set({ ...all, [tool]: { until, ruleIds, once: minutes === 0 } });
    await browser.alarms.create(`${SNOOZE_ALARM_PREFIX}${tool}`, { when: until });
  }

  async function endNow(tool: string): Promise<void> {
    const all = await state.snoozes.get();
    const ending = all[tool];
    if (ending === undefined) return;
    await removeSessionRules(dnr, ending.ruleIds);
    await state.snoozes.set(Object.fromEntries(Object.entries(all).filter(([id]) => id !== tool)));
    await browser.alarms.clear(`${SNOOZE_ALARM_PREFIX}${tool}`);
  }

  /**
   * A snooze was granted under the policy that warned. Under a new policy it ends when the tool no
   * longer warns (a blocked tool must not stay reachable), and is rebuilt from the new patterns otherwise.
   */
  function reconcile(index: PolicyIndex): Promise<void> {
    return inOrder(async () => {
      const kept: Record<string, Snooze> = {};
      for (const [tool, snoozed] of Object.entries(await state.snoozes.get())) {
        await removeSessionRules(dnr, snoozed.ruleIds);
        const stillWarns = index.decisions.some((d) => d.tool === tool && !d.sanctioned && d.action === 'warn');
        if (!stillWarns) {
          await browser.alarms.clear(`${SNOOZE_ALARM_PREFIX}${tool}`);
          continue;
        }
        const ruleIds = await addSessionRules(dnr, (firstId) => compileSnoozeRules(index, tool, firstId));
        kept[tool] = { ...snoozed, ruleIds };
      }
      await state.snoozes.set(kept);
    });
  }

  /** The person closed the banner of a snoozed tool: it stays closed until the snooze ends. */
  function dismissBanner(tool: string): Promise<void> {
    return inOrder(async () => {
      const all = await state.snoozes.get();
      const snoozed = all[tool];
      if (snoozed !== undefined) await state.snoozes.set({ ...all, [tool]: { ...snoozed, bannerDismissed: true } });
    });
  }

  /**
   * One navigation of one tab (or one frame of it: `frameId`) to a URL that decide() allows but a
   * broader DNR rule caught: an allow for exactly that URL in that tab, removed when the tab (the
   * frame) commits its next page.
   */
  function passOnce(tabId: number, url: string, frameId = 0): Promise<void> {
    const key = passKey(tabId, frameId);
    const type = frameId === 0 ? 'main_frame' : 'sub_frame';
    return inOrder(async () => {
      const passes = await state.passes.get();
      // A page can ask again and again (the pages are web-accessible): a tab holds its page's pass and a few of
      // its frames', never a pile. Frame keys are not integers, so Object.keys gives them oldest first.
      const otherFrames = Object.keys(passes).filter((k) => k.startsWith(`${tabId}:`) && k !== key);
      const ending =
        frameId === 0 ? [] : otherFrames.slice(0, Math.max(0, otherFrames.length - (MAX_FRAME_PASSES - 1)));
      const replaced = [key, ...ending];
      const kept = Object.fromEntries(Object.entries(passes).filter(([k]) => !replaced.includes(k)));
      await removeSessionRules(
        dnr,
        replaced.flatMap((k) => passes[k] ?? []),
      );
      const ruleIds = await addSessionRules(dnr, (firstId) => [compilePassRule(url, tabId, firstId, type)]);
      await state.passes.set({ ...kept, [key]: ruleIds });
    });
  }

  /** Ends the passes whose keys `ends` picks. */
  function endPasses(ends: (key: string) => boolean): Promise<void> {
    return inOrder(async () => {
      const passes = await state.passes.get();
      const ending = Object.entries(passes).filter(([key]) => ends(key));
      if (ending.length === 0) return;
      await removeSessionRules(
        dnr,
        ending.flatMap(([, ruleIds]) => ruleIds),
      );
      await state.passes.set(Object.fromEntries(Object.entries(passes).filter(([key]) => !ends(key))));
    });
  }

  return {
    /** Every snooze, by tool id (an ended one may linger until its alarm: compare `until` with now). */
    all: (): Promise<Readonly<Record<string, Snooze>>> => state.snoozes.get(),
    /** Whether `decision` is a warning the person continued past, and that snooze still holds. */
    async holdsFor(decision: Decision): Promise<boolean> {
      if (decision.action !== 'warn' || decision.tool === null) return false;
      const snoozed = (await state.snoozes.get())[decision.tool];
      return snoozed !== undefined && snoozed.until > now();
    },
    snooze: (tool: string, minutes: number, index: PolicyIndex) => inOrder(() => snoozeNow(tool, minutes, index)),
    end: (tool: string) => inOrder(() => endNow(tool)),
    reconcile,
    dismissBanner,
    passOnce,
    /** The pass of a tab's page, or of one of its frames, once it committed the next page. */
    endPass: (tabId: number | string, frameId = 0) => {
      const key = passKey(tabId, frameId);
      return endPasses((k) => k === key);
    },
    /** A closed tab's passes, its frames' included. */
    endPassesOfTab: (tabId: number | string) => endPasses((k) => k === String(tabId) || k.startsWith(`${tabId}:`)),
    async onAlarm(name: string): Promise<void> {
      if (name.startsWith(SNOOZE_ALARM_PREFIX)) await inOrder(() => endNow(name.slice(SNOOZE_ALARM_PREFIX.length)));
    },
  };
}
