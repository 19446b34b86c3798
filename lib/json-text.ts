/**
 * JSON.parse with the line and column of a syntax error. V8's messages name a
 * position only sometimes; IT editing a policy by hand needs a line.
 */

export type JsonTextResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly line: number; readonly column: number; readonly message: string };

export function parseJsonText(text: string): JsonTextResult {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch {
    const found = locateSyntaxError(body);
    const { line, column } = lineAndColumn(body, found.position);
    return { ok: false, line, column, message: `line ${line}, column ${column}: ${found.reason}` };
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}

class SyntaxAt extends Error {
  constructor(
    readonly position: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** A strict JSON scanner used only to say where JSON.parse failed. */
// Long: one scanner; its small inner functions share the position in the text.
function locateSyntaxError(text: string): SyntaxAt {
  let i = 0;
  const describe = (): string =>
    i >= text.length ? 'the text ends too early' : `unexpected ${JSON.stringify(text[i])}`;
  const fail = (expected: string): never => {
    throw new SyntaxAt(i, `${describe()}, expected ${expected}`);
  };
  const skipSpace = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail('a value');
  };
  const string = (): void => {
    i++;
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '"') {
        i++;
        return;
      }
      if (ch.charCodeAt(0) < 0x20) fail('a closing quote (a string cannot span lines)');
      if (ch === '\\') {
        i++;
        const escape = text[i];
        if (escape === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('four hex digits after \\u');
          i += 5;
          continue;
        }
        if (escape === undefined || !'"\\/bfnrt'.includes(escape)) fail('a valid escape such as \\n or \\"');
      }
      i++;
    }
    fail('a closing quote');
  };
  const number = (): void => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (match === null || match[0] === '' || match[0] === '-') fail('a number');
    i += (match as RegExpExecArray)[0].length;
  };
  const value = (): void => {
    skipSpace();
    const ch = text[i];
    if (ch === '{') return object();
    if (ch === '[') return array();
    if (ch === '"') return string();
    if (ch === 't') return literal('true');
    if (ch === 'f') return literal('false');
    if (ch === 'n') return literal('null');
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return number();
    fail('a value');
  };
  const object = (): void => {
    i++;
    skipSpace();
    if (text[i] === '}') {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] !== '"') fail('a double-quoted field name');
      string();
      skipSpace();
      if (text[i] !== ':') fail('":"');
      i++;
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (text[i] === '}') fail('another field (no comma before "}")');
        continue;
      }
      if (text[i] === '}') {
        i++;
        return;
      }
      fail('"," or "}"');
    }
  };
  const array = (): void => {
    i++;
    skipSpace();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (;;) {
      value();
      skipSpace();
      if (text[i] === ',') {
        i++;
        skipSpace();
        if (text[i] === ']') fail('another value (no comma before "]")');
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail('"," or "]"');
    }
  };
  try {
    value();
    skipSpace();
    if (i < text.length) fail('the end of the text');
    return new SyntaxAt(i, 'not valid JSON');
  } catch (error) {
    if (error instanceof SyntaxAt) return error;
    if (error instanceof RangeError) return new SyntaxAt(0, 'not valid JSON (nested too deeply to say where)');
    throw error;
  }
}
