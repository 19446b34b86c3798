/**
 * The contracts between the extension's parts, checked across the tree: every message type a page or
 * the banner can send is sent by one and handled by the background, and every usage event has words
 * in every language the options page can show them in.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_LABELS } from '../../components/options-page';
import { BannerRequestSchema, NudgeRequestSchema, SurfaceRequestSchema } from '../../lib/protocol/messages';
import { USAGE_EVENTS } from '../../lib/protocol/usage';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The text of every source file under `folders`. */
function sources(...folders: string[]): string {
  const read = (path: string): string[] =>
    statSync(path).isDirectory()
      ? readdirSync(path).flatMap((name) => read(join(path, name)))
      : /\.tsx?$/.test(path)
        ? [readFileSync(path, 'utf8')]
        : [];
  return folders.flatMap((folder) => read(join(ROOT, folder))).join('\n');
}

/** The `type` literals of a discriminated union of message schemas. */
function messageTypes(schema: unknown): string[] {
  const { options } = (schema as { def: { options: { def: { shape: { type: { def: { values: string[] } } } } }[] } })
    .def;
  return options.flatMap((option) => option.def.shape.type.def.values);
}

const TYPES = [
  ...messageTypes(NudgeRequestSchema),
  ...messageTypes(BannerRequestSchema),
  ...messageTypes(SurfaceRequestSchema),
];

describe('messages to the background', () => {
  it('are the ones the protocol lists', () => {
    expect(TYPES).toEqual([
      'nudge:get',
      'nudge:pass',
      'nudge:continue',
      'banner:get',
      'banner:dismiss',
      'popup:get',
      'options:get',
      'options:send-now',
    ]);
  });

  it.each(TYPES)('%s is sent by a page or the banner, and answered by a case of its own in the background', (type) => {
    expect(sources('entrypoints', 'components'), `no page sends ${type}`).toContain(`type: '${type}'`);
    const handlers = sources('platform/background');
    expect(
      handlers.includes(`case '${type}':`) || handlers.includes(`request.type === '${type}'`),
      `no handler names ${type}`,
    ).toBe(true);
  });
});

describe('usage events', () => {
  const locales = readdirSync(join(ROOT, 'public/_locales'));

  it.each([...USAGE_EVENTS])('%s has words in every language', (event) => {
    const key = EVENT_LABELS[event];
    for (const locale of locales) {
      const messages = JSON.parse(
        readFileSync(join(ROOT, 'public/_locales', locale, 'messages.json'), 'utf8'),
      ) as Record<string, { message: string }>;
      expect(messages[key]?.message.trim(), `${locale}: ${key}`).toBeTruthy();
    }
  });
});
