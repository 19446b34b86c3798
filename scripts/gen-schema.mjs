// Writes policies/policy.schema.json from the zod schema (lib/policy/json-schema.ts).
import { build } from 'esbuild';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const dir = mkdtempSync(join(tmpdir(), 'daylight-schema-'));
try {
  const outfile = join(dir, 'json-schema.mjs');
  await build({ entryPoints: ['lib/policy/json-schema.ts'], outfile, bundle: true, platform: 'node', format: 'esm' });
  const { policyJsonSchema } = await import(pathToFileURL(outfile).href);
  writeFileSync('policies/policy.schema.json', `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  console.log('wrote policies/policy.schema.json');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
