// @vitest-environment node
/** Wrong admin tokens (collector/login-limits.ts): per address before the token, server-wide only for wrong ones. */
import { describe, expect, it } from 'vitest';
import { LoginLimits } from '../../../collector/login-limits';

describe('LoginLimits', () => {
  it('pauses an address after 10 wrong tokens, then lets one through every 6 s', () => {
    let now = 0;
    const limits = new LoginLimits(() => now);
    for (let i = 0; i < 10; i++) {
      expect(limits.pausedFor('10.0.0.1')).toBe(0);
      limits.wrongToken('10.0.0.1');
    }
    expect(limits.pausedFor('10.0.0.1')).toBe(6);
    expect(limits.pausedFor('10.0.0.2')).toBe(0);
    now = 6000;
    expect(limits.pausedFor('10.0.0.1')).toBe(0);
  });

  it('keeps memory bounded at 10,000 addresses, forgetting first those whose limit is full again', () => {
    let now = 0;
    const limits = new LoginLimits(() => now);
    const address = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 9_999; i++) limits.wrongToken(address(i));
    for (let i = 0; i < 10; i++) limits.wrongToken('attacker');
    // An hour on, the others are full again: a newcomer makes room by forgetting them, not the paused attacker.
    now = 3_600_000;
    for (let i = 0; i < 10; i++) limits.wrongToken('attacker');
    limits.wrongToken('newcomer');
    expect(limits.pausedFor('attacker')).toBe(6);
    // With every address still limited, the oldest goes: it gets 10 more tries, as a new address would.
    for (let i = 0; i < 10_000; i++) limits.wrongToken(address(i));
    expect(limits.pausedFor('attacker')).toBe(0);
  });
});
