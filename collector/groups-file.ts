/**
 * `daylight serve --groups FILE`: the groups the fleet's managed `group` may name, one a line, so that the collector
 * refuses a report of any other (docs/spec/report-protocol.md "Groups and revisions"): a made-up group cannot fill the
 * dashboard's lists, nor hide in a cell of its own. Blank lines and lines starting with `#` are left out.
 */
import { readFileSync } from 'node:fs';

/** docs/spec/managed-config.md `group`: at most 64 characters. */
const MAX_GROUP = 64;

export type ParsedGroups = { ok: true; groups: string[] } | { ok: false; errors: string[] };

/** The groups of the file's text, or every bad line, each named by its number. */
export function parseGroupsText(text: string): ParsedGroups {
  const groups = new Set<string>();
  const errors: string[] = [];
  text.split(/\r?\n/).forEach((line, index) => {
    const group = line.trim();
    if (group === '' || group.startsWith('#')) return;
    if (group.length > MAX_GROUP) errors.push(`line ${index + 1}: a group is at most ${MAX_GROUP} characters`);
    else groups.add(group);
  });
  if (errors.length > 0) return { ok: false, errors };
  if (groups.size === 0)
    return { ok: false, errors: ["no group: list one a line, as the fleet's managed group names it"] };
  return { ok: true, groups: [...groups] };
}

/** Reads and parses the file; throws with every error, each naming its line. */
export function readGroupsFile(file: string): string[] {
  const parsed = parseGroupsText(readFileSync(file, 'utf8'));
  if (!parsed.ok) throw new Error(`${file} is not a list of groups:\n  ${parsed.errors.join('\n  ')}`);
  return parsed.groups;
}
