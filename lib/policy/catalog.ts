/**
 * The catalog of known AI tools (policies/catalog.json): the same Tool shape
 * a policy uses, plus where the vendor is based, so coverage can be checked.
 */
import * as z from 'zod/mini';
import { ToolSchema } from './schema';

export const REGIONS = ['us', 'eu', 'cn', 'other'] as const;

export const CatalogToolSchema = z.extend(ToolSchema, {
  region: z.optional(z.enum(REGIONS)),
});
export type CatalogTool = z.infer<typeof CatalogToolSchema>;

export const CatalogSchema = z.object({
  catalogVersion: z.string(),
  tools: z.array(CatalogToolSchema),
});
export type Catalog = z.infer<typeof CatalogSchema>;

/** A catalog with no tools, for `"catalog": "none"` callers and tests. */
export const EMPTY_CATALOG: Catalog = { catalogVersion: 'none', tools: [] };
