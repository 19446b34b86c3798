/**
 * Links and heading anchors of a Markdown file, as GitHub renders them: enough of CommonMark for the
 * repository's own documents (inline links and images, reference definitions, HTML href/src), with
 * code blocks and code spans left out, since examples in them are not links.
 */

export interface MarkdownLink {
  readonly target: string;
  /** 1-based line of the link. */
  readonly line: number;
}

/** The lines outside fenced code blocks; null for a line inside one. */
function proseLines(markdown: string): (string | null)[] {
  let fence: string | null = null;
  return markdown.split('\n').map((line) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && opener !== undefined) {
      fence = opener;
      return null;
    }
    if (fence !== null) {
      if (line.trim().startsWith(fence[0]!.repeat(fence.length))) fence = null;
      return null;
    }
    return line;
  });
}

export function markdownLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((prose, i) => {
    if (prose === null) return;
    const line = i + 1;
    // Code spans blanked: an example in one is not a link.
    const text = prose.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => ' '.repeat(span.length));
    for (const match of text.matchAll(/\]\(\s*(?:<([^>]+)>|([^)\s]+))(?:\s+(?:"[^"]*"|'[^']*'|\([^)]*\)))?\s*\)/g))
      links.push({ target: (match[1] ?? match[2])!, line });
    const definition = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/.exec(text);
    if (definition !== null) links.push({ target: definition[1]!, line });
    for (const match of text.matchAll(/\b(?:href|src)=(?:"([^"]+)"|'([^']+)')/g))
      links.push({ target: (match[1] ?? match[2])!, line });
  });
  return links;
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s/g, '-');
}

/** Every anchor a link may name in this file: headings (repeats get -1, -2 …) and explicit `id`/`name`. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const text of proseLines(markdown)) {
    if (text === null) continue;
    const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(text)?.[1];
    if (heading !== undefined) {
      const base = slug(heading);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      anchors.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of text.matchAll(/\b(?:id|name)="([^"]+)"/g)) anchors.add(match[1]!);
  }
  return anchors;
}
