import { readdirSync, readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CATALOG, DEFAULT_POLICY } from '../../../lib/policy/bundled';
import { decide } from '../../../lib/policy/decide';
import { policyJsonSchema } from '../../../lib/policy/json-schema';
import { formatProblem, parsePolicy, parsePolicyText } from '../../../lib/policy/validate';

const EXAMPLES_DIR = new URL('../../../policies/examples/', import.meta.url);
const examples = readdirSync(EXAMPLES_DIR).filter((name) => name.endsWith('.json'));

function load(text: string) {
  const result = parsePolicyText(text, BUNDLED_CATALOG);
  if (!result.ok) throw new Error(result.errors.map(formatProblem).join('\n'));
  return result;
}

describe('policies/default.json, in force when IT configured nothing', () => {
  const result = parsePolicy(DEFAULT_POLICY, BUNDLED_CATALOG);
  if (!result.ok) throw new Error('default policy invalid');

  it('is valid without a warning, with the catalog on and a day-long snooze', () => {
    expect(result.warnings).toEqual([]);
    expect(result.policy.catalog).toBe('bundled');
    expect(result.policy.sanctioned).toEqual([]);
    expect(result.policy.defaultAction).toBe('warn');
    expect(result.policy.warn.snoozeMinutes).toBe(1440);
  });

  it('warns on every catalog tool, with a short friendly message', () => {
    for (const tool of BUNDLED_CATALOG.tools) {
      const decision = decide(result.index, `https://${tool.match[0] ?? ''}`);
      expect(decision.action, tool.id).toBe('warn');
      expect(decision.message).toMatch(/not reviewed/);
    }
    expect((decide(result.index, 'https://claude.ai/').message ?? '').length).toBeLessThanOrEqual(200);
  });
});

describe('policies/examples', () => {
  it('has at least three realistic organization policies', () => {
    expect(examples.length).toBeGreaterThanOrEqual(3);
  });

  it.each(examples)('%s is valid without a warning and explained in the README', (name) => {
    const result = load(readFileSync(new URL(name, EXAMPLES_DIR), 'utf8'));
    expect(result.warnings.map(formatProblem)).toEqual([]);
    expect(readFileSync(new URL('README.md', EXAMPLES_DIR), 'utf8')).toContain(`(${name})`);
  });

  it('microsoft-365.json sends chat to Copilot Chat and code to GitHub Copilot, and allows both', () => {
    const { index } = load(readFileSync(new URL('microsoft-365.json', EXAMPLES_DIR), 'utf8'));
    expect(decide(index, 'https://chatgpt.com/')).toMatchObject({
      action: 'redirect',
      redirectTo: 'https://m365.cloud.microsoft/chat',
    });
    expect(decide(index, 'https://cursor.com/')).toMatchObject({
      action: 'redirect',
      redirectTo: 'https://github.com/copilot',
    });
    expect(decide(index, 'https://m365.cloud.microsoft/chat/x')).toMatchObject({
      action: 'allow',
      tool: 'contoso-copilot-chat',
    });
    expect(decide(index, 'https://github.com/copilot')).toMatchObject({
      action: 'allow',
      tool: 'contoso-github-copilot',
    });
    expect(decide(index, 'https://github.com/contoso/app')).toMatchObject({ action: 'allow', tool: null });
    expect(decide(index, 'https://character.ai/')).toMatchObject({ action: 'block' });
  });

  it('google-workspace.json allows Gemini and NotebookLM and blocks companions', () => {
    const { index } = load(readFileSync(new URL('google-workspace.json', EXAMPLES_DIR), 'utf8'));
    expect(decide(index, 'https://gemini.google.com/app')).toMatchObject({ action: 'allow', tool: 'initech-gemini' });
    expect(decide(index, 'https://notebooklm.google.com/')).toMatchObject({
      action: 'allow',
      tool: 'initech-notebooklm',
    });
    expect(decide(index, 'https://claude.ai/')).toMatchObject({
      action: 'redirect',
      redirectTo: 'https://gemini.google.com/app',
    });
    expect(decide(index, 'https://replika.com/')).toMatchObject({ action: 'block' });
  });

  it('regulated.json blocks chat and image tools and offers the internal assistant', () => {
    const { index } = load(readFileSync(new URL('regulated.json', EXAMPLES_DIR), 'utf8'));
    const chat = decide(index, 'https://chatgpt.com/');
    expect(chat.action).toBe('block');
    expect(chat.alternatives.map((a) => a.id)).toEqual(['northwind-assist']);
    expect(decide(index, 'https://midjourney.com/')).toMatchObject({ action: 'block' });
    expect(decide(index, 'https://assist.northwind.example/')).toMatchObject({
      action: 'allow',
      tool: 'northwind-assist',
    });
  });
});

describe('policies/policy.schema.json', () => {
  it('is what the zod schema generates (run "npm run schema" when this fails)', () => {
    const committed = readFileSync(new URL('../../../policies/policy.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  });

  it("lets a newer policy's unknown fields through, as the spec says", () => {
    const schema = policyJsonSchema() as { additionalProperties?: unknown; required?: unknown };
    expect(schema.additionalProperties).not.toBe(false);
    expect(schema.required).toEqual(['schemaVersion', 'revision']);
  });
});

describe('policies/policy.schema.json, read by a real JSON Schema validator', () => {
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(
    JSON.parse(readFileSync(new URL('../../../policies/policy.schema.json', import.meta.url), 'utf8')) as object,
  );

  it.each(['default.json', ...examples.map((name) => `examples/${name}`)])('accepts %s', (name) => {
    const policy = JSON.parse(readFileSync(new URL(`../../../policies/${name}`, import.meta.url), 'utf8')) as unknown;
    expect(validate(policy), JSON.stringify(validate.errors)).toBe(true);
  });

  it('accepts every pattern of the catalog', () => {
    const policy = {
      schemaVersion: 1,
      revision: 'r',
      tools: BUNDLED_CATALOG.tools.map(({ region, ...tool }) => tool),
    };
    expect(validate(policy), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it.each([
    ['a wrong schemaVersion', { schemaVersion: 2, revision: 'r' }],
    ['a missing revision', { schemaVersion: 1 }],
    ['an out-of-range snooze', { schemaVersion: 1, revision: 'r', warn: { snoozeMinutes: 10081 } }],
    [
      'an upper-case pattern',
      { schemaVersion: 1, revision: 'r', tools: [{ id: 'x', name: 'X', category: 'chat', match: ['Talk.example'] }] },
    ],
    [
      'a trailing slash',
      { schemaVersion: 1, revision: 'r', tools: [{ id: 'x', name: 'X', category: 'chat', match: ['talk.example/'] }] },
    ],
    ['a bad id', { schemaVersion: 1, revision: 'r', sanctioned: [{ id: 'X', name: 'X', url: 'https://x.example/' }] }],
  ])('rejects %s, as the extension does', (_name, policy) => {
    expect(validate(policy)).toBe(false);
    expect(parsePolicy(policy, BUNDLED_CATALOG).ok).toBe(false);
  });
});

describe('the JSON Schema documents each field for IT', () => {
  const schema = policyJsonSchema() as {
    properties: Record<string, { items?: { properties: Record<string, { description?: string }> } }>;
  };
  const fieldOf = (list: string, name: string) => schema.properties[list]?.items?.properties[name]?.description;

  it('with a description of its own where shared schemas are used', () => {
    expect(fieldOf('tools', 'id')).toMatch(/replaces that catalog tool/);
    expect(fieldOf('rules', 'redirectTo')).toMatch(/sanctioned entry to send people to/);
    expect(fieldOf('sanctioned', 'id')).toBeUndefined();
    expect(fieldOf('sanctioned', 'url')).toMatch(/redirect target/);
    expect(fieldOf('training', 'url')).toMatch(/training page/);
  });
});
