/**
 * The repository stands on its own: every relative link in its Markdown, and every file its shipped
 * JSON schemas name, is a file of the repository, so a clone from GitHub has no broken link and
 * nothing that points at a folder beside it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { headingAnchors, markdownLinks } from '../support/markdown-links';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Tracked files, and new ones not yet committed (so a link is checked before it lands). */
function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

const FILES = repositoryFiles();
/**
 * What a clone has: its files and the folders that hold them. A link to a built or ignored file
 * (dist/, .output/) resolves on this machine but not on GitHub, so the disk is not asked.
 */
const IN_A_CLONE = new Set(
  FILES.flatMap((file) => {
    const parts = file.split('/');
    return parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  }),
);
const MARKDOWN = FILES.filter((file) => file.endsWith('.md'));
const SHIPPED_SCHEMAS = ['policies/policy.schema.json', 'public/managed_schema.json'];

/** The problem with `target` as written in `from` (a repository-relative path), or null when it resolves. */
function brokenTarget(from: string, target: string): string | null {
  const [path = '', fragment] = target.split('#', 2);
  const file = path === '' ? join(ROOT, from) : resolve(ROOT, dirname(from), decodeURIComponent(path));
  const inside = relative(ROOT, file);
  if (inside.startsWith('..') || isAbsolute(inside)) return 'points outside the repository';
  if (inside !== '' && !IN_A_CLONE.has(inside.split(sep).join('/'))) return 'no such file in a clone';
  if (fragment !== undefined && file.endsWith('.md')) {
    if (!headingAnchors(readFileSync(file, 'utf8')).has(fragment)) return `no heading #${fragment}`;
  }
  return null;
}

describe('links in the repository', () => {
  it('finds the Markdown it checks', () => {
    expect(MARKDOWN).toEqual(expect.arrayContaining(['README.md', 'docs/spec/policy-format.md', 'CONTRIBUTING.md']));
  });

  it('every relative link and image in every Markdown file resolves to a file of the repository', () => {
    const broken = MARKDOWN.flatMap((file) =>
      markdownLinks(readFileSync(join(ROOT, file), 'utf8'))
        .filter((link) => !/^[a-z][a-z0-9+.-]*:/i.test(link.target))
        .flatMap((link) => {
          const problem = brokenTarget(file, link.target);
          return problem === null ? [] : [`${file}:${link.line}: ${link.target}: ${problem}`];
        }),
    );
    expect(broken).toEqual([]);
  });

  it('every $ref and every file named in a description of the shipped JSON schemas resolves', () => {
    const broken: string[] = [];
    for (const schemaFile of SHIPPED_SCHEMAS) {
      const schema: unknown = JSON.parse(readFileSync(join(ROOT, schemaFile), 'utf8'));
      const visit = (value: unknown, path: string): void => {
        if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
        if (typeof value !== 'object' || value === null) return;
        for (const [key, child] of Object.entries(value)) {
          if (key === '$ref' && typeof child === 'string') {
            const problem = child.startsWith('#') ? brokenPointer(schema, child) : brokenTarget(schemaFile, child);
            if (problem !== null) broken.push(`${schemaFile} ${path}.$ref: ${child}: ${problem}`);
          }
          if (key === 'description' && typeof child === 'string') {
            // Descriptions are read by IT in their editor, so a document is named by its path from the
            // repository's root. A bare `*.json` is a browser's file (policies.json), not one of ours, and
            // an absolute path or a URL's path is a machine's or a server's.
            for (const [named] of child.matchAll(/[\w./-]+\.(?:md|json)\b/g)) {
              if (named.startsWith('/')) continue;
              if (named.endsWith('.md') && !named.includes('/')) {
                broken.push(`${schemaFile} ${path}.description: "${named}" is not a path from the repository's root`);
              } else if (named.includes('/') && !existsSync(join(ROOT, named))) {
                broken.push(`${schemaFile} ${path}.description: ${named}: no such file`);
              }
            }
          }
          visit(child, `${path}.${key}`);
        }
      };
      visit(schema, '');
    }
    expect(broken).toEqual([]);
  });

  it('nothing in the repository reads or names a folder beside it', () => {
    const outside = new RegExp(['\\.\\./', 'shared', '|DAYLIGHT_', 'SHARED_DIR'].join(''));
    const offenders = FILES.filter((file) => !/\.(png|jpg|ico|woff2?)$/.test(file)).flatMap((file) =>
      readFileSync(join(ROOT, file), 'utf8')
        .split('\n')
        .flatMap((line, i) => (outside.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(offenders).toEqual([]);
  });
});

/** The problem with a `#/a/b` JSON pointer into `schema`, or null when it names something. */
function brokenPointer(schema: unknown, pointer: string): string | null {
  let node: unknown = schema;
  for (const part of pointer.slice(2).split('/').filter(Boolean)) {
    const key = part.replaceAll('~1', '/').replaceAll('~0', '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return 'names nothing in the schema';
    node = (node as Record<string, unknown>)[key];
  }
  return null;
}

describe('the link checker itself', () => {
  const markdown = [
    '# Policy format',
    'See [the spec](docs/spec/x.md#deciding-a-url), ![a shot](shot.png "title") and <a href="page.html">this</a>.',
    "Titles of every kind: [a](a.md 'single'), [b](b.md (parens)), [c](<c d.md>), <img src='e.png'>.",
    '[ref]: ../elsewhere.md',
    'Code is no link: `[a](b.md)`.',
    '```md',
    '[inside](a-fence.md)',
    '```',
    '## `daylight check` output',
    '## Deciding a URL',
    '## Deciding a URL',
  ].join('\n');

  it('finds inline links, images, reference definitions and HTML, not code', () => {
    expect(markdownLinks(markdown)).toEqual([
      { target: 'docs/spec/x.md#deciding-a-url', line: 2 },
      { target: 'shot.png', line: 2 },
      { target: 'page.html', line: 2 },
      { target: 'a.md', line: 3 },
      { target: 'b.md', line: 3 },
      { target: 'c d.md', line: 3 },
      { target: 'e.png', line: 3 },
      { target: '../elsewhere.md', line: 4 },
    ]);
  });

  it('knows the anchors GitHub gives headings', () => {
    expect([...headingAnchors(markdown)]).toEqual([
      'policy-format',
      'daylight-check-output',
      'deciding-a-url',
      'deciding-a-url-1',
    ]);
  });

  it('refuses a missing file, a missing heading and a path out of the repository', () => {
    expect(brokenTarget('README.md', 'docs/no-such-file.md')).toBe('no such file in a clone');
    // Built here, but never committed: a reader on GitHub would find nothing.
    expect(brokenTarget('README.md', 'dist/cli/daylight.js')).toBe('no such file in a clone');
    expect(brokenTarget('README.md', 'docs/spec/')).toBeNull();
    expect(brokenTarget('README.md', 'docs/deploy.md#no-such-heading')).toBe('no heading #no-such-heading');
    expect(brokenTarget('docs/deploy.md', '../../elsewhere/spec.md')).toBe('points outside the repository');
    expect(brokenTarget('docs/deploy.md', '../README.md')).toBeNull();
  });
});
