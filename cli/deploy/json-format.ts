/**
 * JSON laid out the way Prettier lays out a .json file (objects one key a line, short arrays on one line), so the
 * files `daylight deploy` writes are byte for byte what `prettier --check` accepts in docs/examples.
 */

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const PRINT_WIDTH = 120;

export function formatJson(value: JsonValue): string {
  return `${formatValue(value, '', 0)}\n`;
}

/** `column` is where the value starts on its line, to decide whether an array fits on it. */
function formatValue(value: JsonValue, indent: string, column: number): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (isArray(value)) {
    if (value.length === 0) return '[]';
    const items = value.map((item) => formatValue(item, `${indent}  `, 0));
    const flat = `[${items.join(', ')}]`;
    if (items.every((item) => !item.includes('\n')) && column + flat.length <= PRINT_WIDTH) return flat;
    const inner = `${indent}  `;
    return `[\n${value.map((item) => `${inner}${formatValue(item, inner, inner.length)}`).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return '{}';
  const inner = `${indent}  `;
  const lines = entries.map(([key, item]) => {
    const head = `${inner}${JSON.stringify(key)}: `;
    // The trailing comma counts towards the line's width, as Prettier counts it.
    return `${head}${formatValue(item, inner, head.length + 1)}`;
  });
  return `{\n${lines.join(',\n')}\n${indent}}`;
}

function isArray(value: JsonValue): value is readonly JsonValue[] {
  return Array.isArray(value);
}
