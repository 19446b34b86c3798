/**
 * A value the background keeps in extension storage, declared once with its type, its fallback and
 * the version of its shape; call sites read and write it typed, with no key strings and no casts.
 * When a shape changes, the new version carries a migration from the one before, run on the first
 * read after the update (as WXT's storage.defineItem does, but over the storage area it is given, so
 * that unit tests pass a fake one). The version sits beside the value, at `key$`; none means 1, so
 * values stored before an item had a version read as version 1.
 */

/** The part of a browser storage area (storage.local, storage.session) the items use. */
export interface StorageArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(values: Record<string, unknown>): Promise<void>;
  remove(key: string): Promise<void>;
}

export interface StoredItem<T> {
  get(): Promise<T>;
  set(value: T): Promise<void>;
  remove(): Promise<void>;
}

export interface ItemShape<T> {
  /** What get() gives when nothing is stored. */
  readonly fallback: T;
  /** The version of the stored shape: 1, raised with a migration for each change. */
  readonly version?: number;
  /** `migrations[n]` turns a value stored at version n - 1 into version n. */
  readonly migrations?: Readonly<Record<number, (stored: unknown) => unknown>>;
}

const versionKey = (key: string): string => `${key}$`;

/**
 * Declares the item at `key` of `area`. `checked` remembers, for one worker's life, which keys have
 * had their version looked at, so that a hot path (every navigation reads a tab's state) pays the
 * extra read once.
 */
export function defineItem<T>(
  area: StorageArea,
  key: string,
  { fallback, version = 1, migrations = {} }: ItemShape<T>,
  checked: Set<string> = new Set(),
): StoredItem<T> {
  async function migrated(stored: unknown): Promise<unknown> {
    // A first version has nothing to migrate from.
    if (version === 1 || checked.has(key)) return stored;
    const found = (await area.get(versionKey(key)))[versionKey(key)];
    let from = typeof found === 'number' ? found : 1;
    let value = stored;
    if (from < version && value !== undefined) {
      for (; from < version; from++) {
        const migrate = migrations[from + 1];
        if (migrate === undefined) throw new Error(`stored item ${key}: no migration to version ${from + 1}`);
        value = migrate(value);
      }
      await area.set({ [key]: value, [versionKey(key)]: version });
    }
    checked.add(key);
    return value;
  }

  return {
    async get() {
      const stored = (await area.get(key))[key];
      const value = await migrated(stored);
      // The one cast: what is stored under this key was written by set() below, or migrated to its shape.
      return value === undefined ? fallback : (value as T);
    },
    async set(value) {
      await area.set(version === 1 ? { [key]: value } : { [key]: value, [versionKey(key)]: version });
      checked.add(key);
    },
    async remove() {
      await area.remove(key);
      if (version > 1) await area.remove(versionKey(key));
    },
  };
}
