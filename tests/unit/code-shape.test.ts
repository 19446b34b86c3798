/**
 * Rooms a newcomer can see across: no source file over 400 lines, and no function over 60 lines
 * unless the line above it says why (`// Long: …`), as a factory whose short inner functions share
 * its state, or one component's markup. bench/ is the measuring harness, not shipped code, and its
 * URL tables are data: it is not held to this.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FOLDERS = ['lib', 'platform', 'collector', 'cli', 'components', 'entrypoints', 'dashboard', 'scripts'];
const MAX_FILE_LINES = 400;
const MAX_FUNCTION_LINES = 60;

const FILES = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...FOLDERS], {
  cwd: ROOT,
  encoding: 'utf8',
})
  .split('\n')
  .filter((file) => /\.(ts|tsx|mjs)$/.test(file) && !file.endsWith('.d.mts'));

/** The name a reader would look for: the function's, or the variable or property it is assigned to. */
function nameOf(node: ts.FunctionLikeDeclaration, source: ts.SourceFile): string {
  if (node.name !== undefined) return node.name.getText(source);
  const parent = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) return parent.name.getText(source);
  return '(anonymous)';
}

/** Functions over the limit whose statement has no `// Long:` line right above it. */
function longFunctions(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const lines = text.split('\n');
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const end = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      // The statement that holds it (`export function`, `const x = () =>`) starts the line the reason is above.
      let statement: ts.Node = node;
      while (!ts.isSourceFile(statement.parent) && !ts.isBlock(statement.parent)) statement = statement.parent;
      const statementLine = source.getLineAndCharacterOfPosition(statement.getStart(source)).line;
      const reason = /^\s*\/\/ Long: \S/.test(lines[statementLine - 1] ?? '');
      if (end - start + 1 > MAX_FUNCTION_LINES && !reason) {
        found.push(`${file}:${start + 1} ${nameOf(node, source)} is ${end - start + 1} lines`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('the shape of the code', () => {
  it('finds the source it checks', () => {
    expect(FILES).toEqual(expect.arrayContaining(['lib/policy/decide.ts', 'platform/background/index.ts']));
  });

  it(`has no source file over ${MAX_FILE_LINES} lines`, () => {
    const long = FILES.map((file) => [file, readFileSync(`${ROOT}${file}`, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_FILE_LINES)
      .map(([file, lines]) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });

  it(`has no function over ${MAX_FUNCTION_LINES} lines without a reason above it`, () => {
    expect(FILES.flatMap((file) => longFunctions(file, readFileSync(`${ROOT}${file}`, 'utf8')))).toEqual([]);
  });

  it('sees a long function, and its reason', () => {
    const body = Array.from({ length: MAX_FUNCTION_LINES }, (_, i) => `  const x${i} = ${i};`).join('\n');
    expect(longFunctions('a.ts', `export function f() {\n${body}\n}\n`)).toEqual(['a.ts:1 f is 62 lines']);
    expect(longFunctions('a.ts', `// Long: a table.\nexport function f() {\n${body}\n}\n`)).toEqual([]);
    expect(longFunctions('a.ts', `const g = () => {\n${body}\n};\n`)).toEqual(['a.ts:1 g is 62 lines']);
  });
});
