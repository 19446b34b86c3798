/**
 * XML property lists for macOS configuration profiles (.mobileconfig): the Apple plist 1.0 DTD, tab indents, XML
 * comments beside the keys they explain. Text is escaped (`&`, `<`, `>`, and a carriage return as `&#13;`, which
 * an XML parser would otherwise turn into a line feed), so any string the options allow comes back unchanged.
 */
import type { JsonValue } from './json-format';
import { wrapText } from './text';

export type PlistValue = string | number | boolean | readonly PlistValue[] | PlistDict;

export interface PlistEntry {
  readonly key: string;
  readonly value: PlistValue;
  /** Said in XML comments above the key, one for each string. */
  readonly comment?: string | readonly string[];
}

export interface PlistDict {
  readonly kind: 'dict';
  readonly entries: readonly PlistEntry[];
}

export function dict(entries: readonly PlistEntry[]): PlistDict {
  return { kind: 'dict', entries };
}

/** A JSON value as a plist value: objects become dicts in key order, numbers integers. */
export function fromJson(value: JsonValue): PlistValue {
  if (value === null) throw new Error('a property list has no null');
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as readonly JsonValue[]).map(fromJson);
  return dict(
    Object.entries(value as { readonly [key: string]: JsonValue }).map(([key, item]) => ({
      key,
      value: fromJson(item),
    })),
  );
}

const COMMENT_WIDTH = 100;

export function formatPlist(root: PlistDict, headComment?: string): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
  ];
  if (headComment !== undefined) lines.push(...formatComment(headComment, ''));
  writeValue(root, '', lines);
  lines.push('</plist>');
  return `${lines.join('\n')}\n`;
}

function writeValue(value: PlistValue, indent: string, lines: string[]): void {
  if (typeof value === 'string') lines.push(`${indent}<string>${escapeXml(value)}</string>`);
  else if (typeof value === 'boolean') lines.push(`${indent}${value ? '<true/>' : '<false/>'}`);
  else if (typeof value === 'number') {
    if (!Number.isInteger(value)) throw new Error(`not an integer: ${value}`);
    lines.push(`${indent}<integer>${value}</integer>`);
  } else if (isArray(value)) {
    if (value.length === 0) lines.push(`${indent}<array/>`);
    else {
      lines.push(`${indent}<array>`);
      for (const item of value) writeValue(item, `${indent}\t`, lines);
      lines.push(`${indent}</array>`);
    }
  } else if (value.entries.length === 0) lines.push(`${indent}<dict/>`);
  else {
    lines.push(`${indent}<dict>`);
    const inner = `${indent}\t`;
    for (const entry of value.entries) {
      const comments =
        entry.comment === undefined ? [] : typeof entry.comment === 'string' ? [entry.comment] : entry.comment;
      for (const comment of comments) lines.push(...formatComment(comment, inner));
      lines.push(`${inner}<key>${escapeXml(entry.key)}</key>`);
      writeValue(entry.value, inner, lines);
    }
    lines.push(`${indent}</dict>`);
  }
}

function formatComment(text: string, indent: string): string[] {
  // "--" cannot appear inside an XML comment; comments are fixed text of this program, never user input.
  if (text.includes('--')) throw new Error(`an XML comment cannot hold "--": ${text}`);
  const wrapped = wrapText(text, COMMENT_WIDTH);
  if (wrapped.length === 1) return [`${indent}<!-- ${wrapped[0] ?? ''} -->`];
  return [`${indent}<!--`, ...wrapped.map((line) => `${indent}     ${line}`), `${indent}-->`];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>\r]/g, (char) => XML_ESCAPES[char] ?? char);
}

const XML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

function isArray(value: PlistValue): value is readonly PlistValue[] {
  return Array.isArray(value);
}

/** Daylight's namespace for name-based payload UUIDs (itself the UUIDv5 of "daylight-extension.org" in the DNS namespace). */
const UUID_NAMESPACE = '2bde0443-f9fe-590b-ac00-fd9da031915c';

/**
 * A name-based UUID (version 5, RFC 9562 section 5.5) of `name`, uppercase as Apple's tools write PayloadUUIDs:
 * the same profile content always gets the same UUID, different content a different one.
 */
export async function getNameBasedUuid(name: string): Promise<string> {
  const namespace = UUID_NAMESPACE.replace(/-/g, '');
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  for (let i = 0; i < 16; i++) input[i] = parseInt(namespace.slice(i * 2, i * 2 + 2), 16);
  input.set(nameBytes, 16);
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-1', input)).slice(0, 16);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...hash].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)]
    .join('-')
    .toUpperCase();
}
