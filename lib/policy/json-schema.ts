/**
 * The JSON Schema IT's editors read (policies/policy.schema.json), generated
 * from the zod schema so the two cannot drift; a test fails when the
 * committed file is stale (`npm run schema` rewrites it).
 */
import * as z from 'zod/mini';
import { PolicySchema } from './schema';

const ID_REGEX = '^[a-z0-9][a-z0-9-]{0,63}$';

export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(PolicySchema, {
    io: 'input',
    target: 'draft-2020-12',
  });
  return {
    ...schema,
    $id: 'https://daylight-extension.org/schema/policy-1.json',
    description:
      'A Daylight policy, schema version 1 (docs/spec/policy-format.md). Unknown fields are accepted with a warning; ' +
      `ids match ${ID_REGEX}; URLs are https (http only for a loopback host).`,
  };
}
