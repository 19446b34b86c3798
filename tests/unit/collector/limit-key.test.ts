// @vitest-environment node
/**
 * The key the per-address limits go by (collector/http.ts limitKey): one host commonly holds a whole IPv6 /64, and
 * could take a fresh address for each sign-in try, report in flight or connection if the limits went by the address.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitKey } from '../../../collector/http';

describe('limitKey', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0002::1', '2001:db8:0:2::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['', ''],
  ])('%s is limited as %s', (address, key) => {
    expect(limitKey(address)).toBe(key);
  });

  it('gives every address of a /64 the same key, however it is written, and another /64 another', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const groups = fc.array(group, { minLength: 8, maxLength: 8 });
    /** Written in full, or with its longest run of zero groups compressed to "::", as Node would give it. */
    const written = (values: number[], compress: boolean): string => {
      const hex = values.map((value) => value.toString(16));
      if (!compress) return hex.join(':');
      let best = { start: -1, length: 0 };
      for (let start = 0; start < 8; start++) {
        let length = 0;
        while (start + length < 8 && values[start + length] === 0) length++;
        if (length > best.length) best = { start, length };
      }
      if (best.length < 2) return hex.join(':');
      return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
    };
    fc.assert(
      fc.property(groups, groups, fc.boolean(), fc.boolean(), (a, b, compressA, compressB) => {
        const sameNetwork = [...a.slice(0, 4), ...b.slice(4)];
        expect(limitKey(written(sameNetwork, compressB))).toBe(limitKey(written(a, compressA)));
        if (a.slice(0, 4).join() !== b.slice(0, 4).join()) {
          expect(limitKey(written(b, compressB))).not.toBe(limitKey(written(a, compressA)));
        }
      }),
    );
  });
});
