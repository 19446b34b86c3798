/** The catalog and default policy that ship with this build (policies/). */
import catalogJson from '../../policies/catalog.json';
import defaultPolicyJson from '../../policies/default.json';
import type { Catalog } from './catalog';

export const BUNDLED_CATALOG = catalogJson as Catalog;
export const DEFAULT_POLICY: unknown = defaultPolicyJson;
