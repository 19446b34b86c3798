import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const LOCALES_DIR = join(ROOT, 'public/_locales');

/** Every locale ships on purpose: adding one means adding it here too. */
const LOCALES = ['de', 'en', 'es', 'fr', 'ja'];
const TRANSLATIONS = LOCALES.filter((locale) => locale !== 'en');

/** What ships in the extension and may name a message. */
const SOURCE_ROOTS = ['entrypoints', 'components', 'platform', 'lib', 'wxt.config.ts', 'public'];
const SOURCE_EXTENSIONS = /\.(ts|tsx|js|mjs|cjs|html|json|css)$/;

interface Message {
  message: string;
  description?: string;
}

function readLocale(locale: string): Record<string, Message> {
  const file = join(LOCALES_DIR, locale, 'messages.json');
  const text = readFileSync(file, 'utf8');
  try {
    return JSON.parse(text) as Record<string, Message>;
  } catch (error) {
    throw new Error(`${relative(ROOT, file)} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** The $1…$9 substitutions a message uses, sorted, once per occurrence ("$$" is a literal dollar sign). */
function substitutions(message: string): string[] {
  return (message.replaceAll('$$', '').match(/\$[1-9]/g) ?? []).sort();
}

function sourceFiles(): { path: string; text: string }[] {
  const files: string[] = [];
  const walk = (path: string) => {
    if (path === LOCALES_DIR || !existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else if (SOURCE_EXTENSIONS.test(path)) {
      files.push(path);
    }
  };
  for (const root of SOURCE_ROOTS) walk(join(ROOT, root));
  return files.map((path) => ({ path: relative(ROOT, path), text: readFileSync(path, 'utf8') }));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('public/_locales', () => {
  it('holds exactly the locales Daylight ships', () => {
    const found = readdirSync(LOCALES_DIR).filter((entry) => statSync(join(LOCALES_DIR, entry)).isDirectory());
    expect(found.sort()).toEqual(LOCALES);
  });

  it.each(LOCALES)('%s/messages.json is valid JSON with a non-empty message for every key', (locale) => {
    const messages = readLocale(locale);
    const bad = Object.entries(messages)
      .filter(([, entry]) => typeof entry?.message !== 'string' || entry.message.trim() === '')
      .map(([key]) => `${locale}: ${key}`);
    expect(bad, `${locale} has empty or missing messages`).toEqual([]);
  });
});

describe.each(TRANSLATIONS)('the %s translation', (locale) => {
  it('has exactly the keys en has', () => {
    const en = Object.keys(readLocale('en'));
    const translated = Object.keys(readLocale(locale));
    expect({
      [`missing from ${locale}`]: en.filter((key) => !translated.includes(key)),
      [`in ${locale} but not in en`]: translated.filter((key) => !en.includes(key)),
    }).toEqual({ [`missing from ${locale}`]: [], [`in ${locale} but not in en`]: [] });
  });

  it('keeps the $n substitutions of each English message', () => {
    const en = readLocale('en');
    const translated = readLocale(locale);
    const differing = Object.entries(en)
      .filter(([key]) => key in translated)
      .map(([key, { message }]) => ({
        key,
        en: substitutions(message).join(' '),
        [locale]: substitutions(translated[key]?.message ?? '').join(' '),
      }))
      .filter((row) => row.en !== row[locale]);
    expect(differing, `${locale} messages whose substitutions differ from en`).toEqual([]);
  });
});

describe('messages and the source that shows them', () => {
  const files = sourceFiles();

  it('finds the source files', () => {
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['wxt.config.ts', 'components/nudge-page.tsx', 'entrypoints/nudge/main.tsx']),
    );
  });

  it('uses every en key in the shipped source', () => {
    const unused = Object.keys(readLocale('en')).filter((key) => {
      const name = escapeRegExp(key);
      const use = new RegExp(`(['"\`])${name}\\1|__MSG_${name}__`);
      return !files.some((file) => use.test(file.text));
    });
    expect(unused, 'en keys no shipped source uses').toEqual([]);
  });

  it('defines in en every key the source asks for', () => {
    const en = readLocale('en');
    const calls = [
      /\bt\(\s*(['"`])([\w@]+)\1/g,
      /\bgetMessage\(\s*(['"`])([\w@]+)\1/g,
      /__MSG_()([\w@]+?)__/g, // the empty group keeps the key in group 2
    ];
    const missing = files.flatMap(({ path, text }) =>
      calls.flatMap((call) =>
        [...text.matchAll(call)]
          .map((match) => match[2] ?? '')
          .filter((key) => !key.startsWith('@@') && !(key in en))
          .map((key) => `${path}: ${key}`),
      ),
    );
    expect([...new Set(missing)], 'keys the source uses that en lacks').toEqual([]);
  });
});
