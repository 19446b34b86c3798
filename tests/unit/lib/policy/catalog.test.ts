import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogSchema, REGIONS } from '../../../../lib/policy/catalog';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../../lib/policy/bundled';
import { decide } from '../../../../lib/policy/decide';
import { CATEGORIES, ID_PATTERN } from '../../../../lib/policy/schema';
import { parsePolicy } from '../../../../lib/policy/validate';
import { checkPattern } from '../../../../lib/policy/pattern';

const tools = BUNDLED_CATALOG.tools;

/** The ids docs/spec/policy-format.md "Stable catalog ids" fixes: org policies name them. */
const FIXED_IDS = [
  'chatgpt',
  'claude',
  'gemini',
  'copilot',
  'perplexity',
  'deepseek',
  'grok',
  'mistral',
  'meta-ai',
  'poe',
  'character-ai',
  'huggingchat',
  'you',
  'pi',
  'github-copilot',
  'cursor',
  'midjourney',
  'runway',
  'elevenlabs',
  'otter',
];

/**
 * Hosts that serve far more than AI: never a whole-host pattern, only an AI path
 * (tests/fixtures/ai-mixed-hosts.tsv and policies/README.md).
 */
const GENERAL_PURPOSE_HOSTS = [
  'google.com',
  'github.com',
  'bing.com',
  'microsoft.com',
  'notion.so',
  'slack.com',
  'discord.com',
  'zoom.us',
  'x.com',
  'twitter.com',
  'amazon.com',
  'aws.amazon.com',
  'adobe.com',
  'canva.com',
  'atlassian.net',
  'salesforce.com',
  'facebook.com',
  'instagram.com',
  'whatsapp.com',
  'telegram.org',
  'baidu.com',
  'qq.com',
  'alibaba.com',
  'apple.com',
  'huggingface.co',
  'm365.cloud.microsoft',
  'cloud.microsoft',
  'office.com',
  'live.com',
  'googleapis.com',
  'amazonaws.com',
  'azure.com',
  'vercel.app',
  'netlify.app',
  'github.io',
  'hf.space',
  'streamlit.app',
  'pages.dev',
  'linkedin.com',
  'youtube.com',
  'yahoo.com',
  'naver.com',
  'yandex.ru',
  'tencent.com',
  'aliyun.com',
  'jetbrains.com',
  'sourcegraph.com',
  'kagi.com',
  'brave.com',
  'myheritage.com',
  'perchance.org',
  'bandlab.com',
  'scribbr.com',
  'eraser.io',
  'koala.sh',
];

describe('the bundled catalog', () => {
  it('has the catalog shape, and at least 600 tools', () => {
    expect(CatalogSchema.safeParse(BUNDLED_CATALOG).success).toBe(true);
    expect(tools.length).toBeGreaterThanOrEqual(600);
  });

  it('covers every category of the spec but "other" well, and US, European, Chinese and other vendors', () => {
    for (const category of CATEGORIES) {
      expect(tools.filter((t) => t.category === category).length, category).toBeGreaterThanOrEqual(
        category === 'other' ? 5 : 15,
      );
    }
    for (const region of REGIONS)
      expect(tools.filter((t) => t.region === region).length, region).toBeGreaterThanOrEqual(50);
  });

  it("has unique, valid ids, including the spec's fixed ids", () => {
    const ids = tools.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
    for (const id of FIXED_IDS) expect(ids, id).toContain(id);
  });

  it('has patterns in canonical form, none claimed by two tools', () => {
    const owner = new Map<string, string>();
    for (const tool of tools) {
      for (const pattern of tool.match) {
        const check = checkPattern(pattern);
        expect(check.ok, `${tool.id}: ${check.ok ? '' : check.reason}`).toBe(true);
        const key = pattern.replace(/^\*\./, '');
        expect(owner.get(key), `${pattern} claimed by ${owner.get(key)} and ${tool.id}`).toBeUndefined();
        owner.set(key, tool.id);
      }
    }
  });

  it('says where each tool was verified, with an https homepage', () => {
    for (const tool of tools) {
      expect(tool.source, tool.id).toMatch(/^https:\/\/\S+( ; https:\/\/\S+)*$/);
      expect(tool.homepage, tool.id).toMatch(/^https:\/\//);
      expect(tool.vendor, tool.id).toBeTruthy();
    }
  });

  it('never lists a general-purpose host whole, only an AI path on it', () => {
    // Rows whose host also serves non-AI content; rows for AI-only hosts (chatgpt.com, claude.ai…) say "n/a" or "share the host".
    const mixed = readFileSync(new URL('../../../fixtures/ai-mixed-hosts.tsv', import.meta.url), 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t'))
      .filter(
        (cells) =>
          cells.length > 4 && !(cells[4] ?? '').startsWith('n/a') && !(cells[4] ?? '').includes('share the host'),
      )
      .flatMap((cells) => (cells[0] ?? '').split(' / '))
      .map((host) => host.replace(/\s*\(.*\)$/, '').trim());
    expect(mixed).toEqual(
      expect.arrayContaining(['google.com', 'bing.com', 'github.com', 'huggingface.co', 'notion.so']),
    );
    const wholeHosts = new Set(
      tools
        .flatMap((t) => t.match)
        .filter((p) => !p.includes('/'))
        .map((p) => p.replace(/^\*\./, '')),
    );
    for (const host of [...GENERAL_PURPOSE_HOSTS, ...mixed])
      expect(wholeHosts.has(host), `${host} is a general-purpose host`).toBe(false);
  });

  it('matches none of the popular non-AI sites of tests/fixtures/non-ai-sites.txt', () => {
    const parsed = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
    if (!parsed.ok) throw new Error('default policy invalid');
    const urls = readFileSync(new URL('../../../fixtures/non-ai-sites.txt', import.meta.url), 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(urls.length).toBeGreaterThanOrEqual(200);
    const matched = urls
      .filter((url) => decide(parsed.index, url).tool !== null)
      .map((url) => `${url} → ${decide(parsed.index, url).tool}`);
    expect(matched).toEqual([]);
  });
});
