/**
 * platform/background/stored-items.ts: a stored value declared once, read typed, with its fallback,
 * and carried to a new shape by its migration on the first read after an update.
 */
import { describe, expect, it } from 'vitest';
import { defineItem, type StorageArea } from '../../../../platform/background/stored-items';

function fakeArea(data: Record<string, unknown> = {}) {
  const reads: string[] = [];
  const area: StorageArea = {
    get: (key) => {
      reads.push(key);
      return Promise.resolve(key in data ? { [key]: structuredClone(data[key]) } : {});
    },
    set: (values) => Promise.resolve(void Object.assign(data, structuredClone(values))),
    remove: (key) => Promise.resolve(void delete data[key]),
  };
  return { area, data, reads };
}

describe('a stored item', () => {
  it('gives its fallback until set, then what was set, and the fallback again once removed', async () => {
    const { area, data } = fakeArea();
    const item = defineItem<{ until: number } | null>(area, 'snooze', { fallback: null });
    expect(await item.get()).toBeNull();
    await item.set({ until: 5 });
    expect(await item.get()).toEqual({ until: 5 });
    expect(data).toEqual({ snooze: { until: 5 } });
    await item.remove();
    expect(await item.get()).toBeNull();
    expect(data).toEqual({});
  });

  it('reads what an older release stored, unversioned, as version 1 and migrates it once', async () => {
    // Version 1 kept a tab's tool as a bare string; version 2 keeps an object.
    const { area, data, reads } = fakeArea({ 'tab:7': 'chatgpt' });
    const checked = new Set<string>();
    const item = defineItem<{ tool: string | null }>(
      area,
      'tab:7',
      { fallback: { tool: null }, version: 2, migrations: { 2: (stored) => ({ tool: stored as string }) } },
      checked,
    );
    expect(await item.get()).toEqual({ tool: 'chatgpt' });
    expect(data).toEqual({ 'tab:7': { tool: 'chatgpt' }, 'tab:7$': 2 });
    // Written back at version 2: read again, in this worker or the next, it is not migrated twice.
    expect(await item.get()).toEqual({ tool: 'chatgpt' });
    expect(reads.filter((key) => key === 'tab:7$')).toHaveLength(1);
    const nextWorker = defineItem<{ tool: string | null }>(area, 'tab:7', {
      fallback: { tool: null },
      version: 2,
      migrations: { 2: () => ({ tool: 'migrated twice' }) },
    });
    expect(await nextWorker.get()).toEqual({ tool: 'chatgpt' });
  });

  it('writes its version with every value, and refuses to guess a migration it was not given', async () => {
    const { area, data } = fakeArea({ counter: 3, counter$: 1 });
    const item = defineItem<number>(area, 'counter', { fallback: 0, version: 3, migrations: { 2: (n) => n } });
    await expect(item.get()).rejects.toThrow('stored item counter: no migration to version 3');
    const fresh = defineItem<number>(fakeArea().area, 'counter', { fallback: 0, version: 3 });
    expect(await fresh.get()).toBe(0);
    await defineItem<number>(area, 'other', { fallback: 0, version: 3 }).set(1);
    expect(data).toMatchObject({ other: 1, other$: 3 });
  });
});
