/**
 * `npm run screenshots` (with screenshots.shot.ts): the collector's dashboard at a laptop's
 * 1366 × 768, light and dark, with two months of the sample reports `npm start --sample-data` adds.
 * A file of its own because it needs no extension, no managed policy and no root:
 * `npx vitest run -c vitest.screenshots.config.ts dashboard` renders just these two.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { sampleReports } from '../../scripts/sample-data.mjs';
import { launchPlainChromium } from '../e2e/support/browser';
import { postReport, startTestCollector } from '../support/collector';

const OUT = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const TOKEN = 'screenshots-admin-token-0123';

/** The collector's policy: what makes Globex Chat and Globex Code the approved tools. */
const POLICY = {
  schemaVersion: 1,
  revision: '2026-11-26.1',
  organization: { name: 'Globex' },
  sanctioned: [
    { id: 'globex-chat', name: 'Globex Chat', url: 'https://chat.globex.example/' },
    { id: 'globex-code', name: 'Globex Code', url: 'https://code.globex.example/', categories: ['coding'] },
  ],
  rules: [
    { tool: 'chatgpt', action: 'warn' },
    { tool: 'claude', action: 'warn' },
    { tool: 'gemini', action: 'warn' },
    { tool: 'perplexity', action: 'redirect', redirectTo: 'globex-chat' },
    { tool: 'deepseek', action: 'block' },
  ],
};

it('renders the dashboard with two months of sample reports', async () => {
  await mkdir(OUT, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'daylight-shots-'));
  const policyFile = join(dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify(POLICY));
  const collector = await startTestCollector({ adminToken: TOKEN, policyFile, maxReportsPerSecond: 1_000_000 });
  const browser = await launchPlainChromium();
  try {
    const reports = sampleReports({
      today: new Date(),
      // Two months, so the headline has the 30 days before to compare with.
      days: 60,
      approved: POLICY.sanctioned.map((tool) => tool.id),
      // Visits to a tool that is not approved are counted after a warning only: the others never reach it.
      shadow: [
        { tool: 'chatgpt', nudge: 'warned' },
        { tool: 'claude', nudge: 'warned' },
        { tool: 'gemini', nudge: 'warned' },
        { tool: 'perplexity', nudge: 'redirected' },
        { tool: 'deepseek', nudge: 'blocked' },
      ],
      policyRevision: POLICY.revision,
    });
    for (const report of reports) {
      const answer = await postReport(collector, report);
      if (answer.status !== 202) throw new Error(`sample report refused: ${answer.status} ${answer.text}`);
    }
    const page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'en-GB' });
    await page.goto(`${collector.url}/login`);
    await page.locator('#token').fill(TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(`${collector.url}/`);
    // The trend comes with the second answer (the 30 days before).
    await page.locator('[data-testid=figure-share] .trend').waitFor();
    for (const colorScheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme });
      await page.locator(`canvas[data-scheme=${colorScheme}]`).first().waitFor();
      await page.screenshot({ path: `${OUT}dashboard-${colorScheme}.png`, animations: 'disabled' });
    }
  } finally {
    await browser.close();
    await collector.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
