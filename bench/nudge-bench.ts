/**
 * Browser part of `npm run bench` (bundled by bench/run.mjs with playwright-core and selfsigned left
 * external): how long from `page.goto(<AI tool URL>)` until the nudge page shows its heading, in
 * headless Chromium with the built extension and the default policy, and how many requests reached
 * the AI sites meanwhile (there must be none: the redirect happens before any request is sent).
 *
 *   node bench/.data/nudge-bench.js <unpacked extension dir>
 *
 * Progress goes to stderr, the results as one JSON line to stdout. Exits non-zero when a navigation
 * does not end on the nudge page, when a request reaches an AI site, or when the clocks cannot be
 * lined up: a fast nudge that lets the request through is not a result.
 */
import { performance } from 'node:perf_hooks';
import type { Page } from 'playwright-core';
import { launchChromium, type LaunchedChromium } from '../tests/e2e/support/browser';
import { DAYLIGHT_EXTENSION_ID, evaluateInServiceWorker, extensionUrl } from '../tests/e2e/support/extension';
import { startFakeSites, type FakeSites } from '../tests/e2e/support/fake-sites';

const WARMUP = 3;
const MEASURED = 20;
const RULES_TIMEOUT_MS = 20_000;
const NAVIGATION_TIMEOUT_MS = 10_000;
const PAINT_TIMEOUT_MS = 2_000;
/** Clock samples per navigation; the one with the shortest round trip lines up the two clocks. */
const CLOCK_SAMPLES = 5;

/** Catalog tools, whole-host and path-scoped ones (bing.com/chat, huggingface.co/chat, github.com/copilot). */
const TOOLS: readonly { readonly name: string; readonly host: string; readonly url: (n: number) => string }[] = [
  { name: 'Claude', host: 'claude.ai', url: (n) => `https://claude.ai/new?i=${n}` },
  { name: 'ChatGPT', host: 'chatgpt.com', url: (n) => `https://chatgpt.com/c/${n}` },
  { name: 'Perplexity', host: 'www.perplexity.ai', url: (n) => `https://www.perplexity.ai/search?q=${n}` },
  { name: 'Gemini', host: 'gemini.google.com', url: (n) => `https://gemini.google.com/app/${n}` },
  { name: 'DeepSeek', host: 'chat.deepseek.com', url: (n) => `https://chat.deepseek.com/a/chat/s/${n}` },
  { name: 'Microsoft Copilot', host: 'www.bing.com', url: (n) => `https://www.bing.com/chat?q=${n}` },
  { name: 'HuggingChat', host: 'huggingface.co', url: (n) => `https://huggingface.co/chat/conversation/${n}` },
  { name: 'Le Chat', host: 'chat.mistral.ai', url: (n) => `https://chat.mistral.ai/chat/${n}` },
  { name: 'GitHub Copilot', host: 'github.com', url: (n) => `https://github.com/copilot/c/${n}` },
  { name: 'Poe', host: 'poe.com', url: (n) => `https://poe.com/chat/${n}` },
];

const NUDGE_PAGE = extensionUrl(DAYLIGHT_EXTENSION_ID, 'nudge.html');

interface RegisteredScript {
  readonly id: string;
  readonly js?: string[];
  readonly css?: string[];
  readonly matches?: string[];
}

interface WorkerScope {
  chrome: {
    declarativeNetRequest: { getDynamicRules(): Promise<unknown[]> };
    /** Present with the "scripting" permission only. */
    scripting?: { getRegisteredContentScripts(): Promise<RegisteredScript[]> };
  };
}

/** What the init script records on the nudge page, on the page's clock (performance.timeOrigin + now()). */
interface PageMarks {
  /** The first moment an <h1> with text is in the document and visible (it has a box). */
  h1At?: number;
  h1Text?: string;
  /** First contentful paint: the loading state is an empty <main>, so this paints the heading's view. */
  fcpAt?: number;
  /** The page's error state (`role="alert"`: it could not load the decision), instead of a heading. */
  errorText?: string;
}

interface PageScope {
  __daylightBench?: PageMarks;
}

const log = (message: string): void => {
  process.stderr.write(`[bench] ${message}\n`);
};

const now = (): number => performance.timeOrigin + performance.now();

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (pos - lo);
}

/**
 * Runs in every document before its own scripts (Playwright's init script; it reaches extension
 * pages too). On the nudge page it notes, on the page's wall clock, when the heading is there with
 * text and visible (checked at each DOM change, then each frame until it has a box), and when the
 * first contentful paint happened. Sent to the page as source text: it sees none of this module.
 */
function markNudgeHeading(nudgePage: string): void {
  if (!location.href.startsWith(nudgePage)) return;
  const marks: PageMarks = {};
  (globalThis as PageScope).__daylightBench = marks;
  const pageNow = (): number => performance.timeOrigin + performance.now();
  const untilVisible = (h1: HTMLHeadingElement, text: string): void => {
    if (!h1.checkVisibility()) {
      requestAnimationFrame(() => untilVisible(h1, text));
      return;
    }
    marks.h1At = pageNow();
    marks.h1Text = text;
  };
  const observer = new MutationObserver(() => {
    const alert = document.querySelector('[role="alert"]')?.textContent?.trim();
    if (alert) {
      marks.errorText = alert;
      observer.disconnect();
      return;
    }
    const h1 = document.querySelector('h1');
    const text = h1?.textContent?.trim();
    if (!h1 || !text) return;
    observer.disconnect();
    untilVisible(h1, text);
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.name === 'first-contentful-paint') marks.fcpAt = performance.timeOrigin + entry.startTime;
    }
  }).observe({ type: 'paint', buffered: true });
}

/**
 * The page clock minus the bench's clock, from the round trip that took least time; `uncertaintyMs`
 * is half that round trip. Both clocks are wall clocks of the same machine, so the offset is small;
 * measuring it keeps a renderer's own time base from leaking into the numbers.
 */
async function clockOffset(page: Page): Promise<{ offsetMs: number; uncertaintyMs: number }> {
  let best = { offsetMs: 0, uncertaintyMs: Infinity };
  for (let i = 0; i < CLOCK_SAMPLES; i++) {
    const before = now();
    const pageTime = await page.evaluate(() => performance.timeOrigin + performance.now());
    const after = now();
    const uncertaintyMs = (after - before) / 2;
    if (uncertaintyMs < best.uncertaintyMs) best = { offsetMs: pageTime - (before + after) / 2, uncertaintyMs };
  }
  return best;
}

interface Sample {
  readonly url: string;
  /** From `page.goto` to: the heading there and visible, its first contentful paint, Playwright seeing it. */
  readonly headingMs: number;
  readonly paintMs: number | null;
  readonly observedMs: number;
  readonly clockUncertaintyMs: number;
}

async function navigateOnce(chromium: LaunchedChromium, url: string, toolName: string): Promise<Sample> {
  // A fresh tab per navigation, as when someone opens a link or types an address in a new tab.
  const page = await chromium.context.newPage();
  try {
    const start = now();
    const navigation = page.goto(url, { waitUntil: 'commit', timeout: NAVIGATION_TIMEOUT_MS });
    // The page notes its own times; this wait only has to notice them (it runs late by a poll).
    const heading = page
      .waitForFunction(
        () => {
          const marks = (globalThis as PageScope).__daylightBench;
          return marks?.h1At !== undefined || marks?.errorText !== undefined;
        },
        undefined,
        { polling: 'raf', timeout: NAVIGATION_TIMEOUT_MS },
      )
      .then(() => now() - start);
    // Together, so that a failed navigation fails at once instead of after the heading's timeout.
    const [, observedMs] = await Promise.all([navigation, heading]).catch(async (error: unknown) => {
      const shown = await page.evaluate(() => document.body?.innerText.trim().slice(0, 200)).catch(() => '?');
      throw new Error(`${url}: no nudge heading; the tab shows ${page.url()}: "${shown}"`, { cause: error });
    });
    await page
      .waitForFunction(() => (globalThis as PageScope).__daylightBench?.fcpAt !== undefined, undefined, {
        polling: 'raf',
        timeout: PAINT_TIMEOUT_MS,
      })
      .catch(() => undefined); // no paint entry: reported as missing, not fatal
    const marks = await page.evaluate(() => (globalThis as PageScope).__daylightBench);
    const expectedUrl = `${NUDGE_PAGE}#${url}`;
    if (page.url() !== expectedUrl) throw new Error(`${url} ended on ${page.url()}, not ${expectedUrl}`);
    if (marks?.errorText !== undefined) throw new Error(`${url}: the nudge page shows an error: "${marks.errorText}"`);
    if (marks?.h1At === undefined) throw new Error(`${url}: the nudge page recorded no heading`);
    if (marks.h1Text !== `Before you use ${toolName}`) {
      throw new Error(`${url}: the nudge page says "${marks.h1Text}", not "Before you use ${toolName}"`);
    }
    const clock = await clockOffset(page);
    const sinceStart = (pageTime: number): number => pageTime - clock.offsetMs - start;
    const headingMs = sinceStart(marks.h1At);
    // The page saw the heading before Playwright did, and after goto was called; else the clocks are off.
    const slack = clock.uncertaintyMs + 1;
    if (headingMs < -slack || headingMs > observedMs + slack) {
      throw new Error(
        `${url}: the heading at ${headingMs.toFixed(1)} ms on the page's clock, Playwright saw it at ` +
          `${observedMs.toFixed(1)} ms: the clocks do not line up (±${clock.uncertaintyMs.toFixed(1)} ms)`,
      );
    }
    return {
      url,
      headingMs,
      paintMs: marks.fcpAt === undefined ? null : sinceStart(marks.fcpAt),
      observedMs,
      clockUncertaintyMs: clock.uncertaintyMs,
    };
  } finally {
    await page.close();
  }
}

async function main(): Promise<void> {
  const extensionDir = process.argv[2];
  if (extensionDir === undefined) throw new Error('usage: nudge-bench.js <unpacked extension dir>');

  let sites: FakeSites | undefined;
  let chromium: LaunchedChromium | undefined;
  try {
    sites = await startFakeSites(TOOLS.map((tool) => tool.host));
    const launchStart = now();
    chromium = await launchChromium({ extensionDir, sites });
    const launched = chromium;
    await launched.context.addInitScript(markNudgeHeading, NUDGE_PAGE);

    // Ready once the default policy's rules are installed (a fresh install compiles them first).
    const installedRules = (): Promise<number> =>
      evaluateInServiceWorker(
        launched,
        async () =>
          (await (globalThis as unknown as WorkerScope).chrome.declarativeNetRequest.getDynamicRules()).length,
        undefined,
      );
    let rules = 0;
    const deadline = Date.now() + RULES_TIMEOUT_MS;
    while ((rules = await installedRules()) === 0) {
      if (Date.now() > deadline) throw new Error(`the extension installed no rules within ${RULES_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const readyMs = now() - launchStart;
    log(`Chromium up, ${rules} dynamic rules installed after ${readyMs.toFixed(0)} ms`);

    sites.clear();
    const samples: Sample[] = [];
    for (let i = 0; i < WARMUP + MEASURED; i++) {
      const tool = TOOLS[i % TOOLS.length] as (typeof TOOLS)[number];
      const sample = await navigateOnce(launched, tool.url(1000 + i), tool.name);
      if (i >= WARMUP) samples.push(sample);
    }
    log(`${WARMUP} warm-up + ${MEASURED} measured navigations`);
    const leaked = sites.requests.map((request) => `${request.scheme}://${request.host}${request.path}`);
    // Content scripts the extension registers at run time (scripting API) are in no manifest: bundle-sizes.mjs
    // needs their files from here.
    const registeredContentScripts = await evaluateInServiceWorker(
      launched,
      async () => {
        const scripting = (globalThis as unknown as WorkerScope).chrome.scripting;
        if (scripting === undefined) return [];
        return (await scripting.getRegisteredContentScripts()).map((script) => ({
          id: script.id,
          js: script.js ?? [],
          css: script.css ?? [],
          matches: script.matches?.length ?? 0,
        }));
      },
      undefined,
    );

    const paints = samples.map((s) => s.paintMs).filter((v): v is number => v !== null);
    const summary = (values: readonly number[]) =>
      values.length === 0 ? null : { medianMs: quantile(values, 0.5), p90Ms: quantile(values, 0.9) };
    const result = {
      navigations: { warmup: WARMUP, measured: MEASURED, tools: TOOLS.length },
      rules,
      readyMs,
      heading: summary(samples.map((s) => s.headingMs)),
      paint: summary(paints),
      paintSamples: paints.length,
      observed: summary(samples.map((s) => s.observedMs)),
      clockUncertaintyMaxMs: Math.max(...samples.map((s) => s.clockUncertaintyMs)),
      // Every navigation, warm-ups included, counts: none may reach an AI site.
      requestsToAiSites: leaked.length,
      leakedExamples: leaked.slice(0, 5),
      registeredContentScripts,
      samples,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (leaked.length > 0) {
      log(`BROKEN: ${leaked.length} requests reached the fake AI sites, first: ${leaked[0]}`);
      process.exitCode = 1;
    }
  } finally {
    await chromium?.close();
    await sites?.close();
  }
}

await main();
