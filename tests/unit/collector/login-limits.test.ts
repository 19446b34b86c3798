// @vitest-environment node
/** Admin sign-in tries (collector/login-limits.ts): per address before the token, server-wide only for wrong ones. */
import { describe, expect, it } from 'vitest';
import { LoginLimits } from '../../../collector/login-limits';

describe('LoginLimits', () => {
  it('gives an address 10 tries at once, then one every 6 s, and other addresses their own', () => {
    let now = 0;
    const limits = new LoginLimits(() => now);
    for (let i = 0; i < 10; i++) expect(limits.tryFrom('10.0.0.1')).toBe(0);
    expect(limits.tryFrom('10.0.0.1')).toBe(6);
    expect(limits.tryFrom('10.0.0.2')).toBe(0);
    now = 6000;
    expect(limits.tryFrom('10.0.0.1')).toBe(0);
    expect(limits.tryFrom('10.0.0.1')).toBe(6);
  });

  it('keeps memory bounded at 10,000 addresses, forgetting the one not seen for longest', () => {
    const limits = new LoginLimits(() => 0);
    const address = (i: number) => `10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`;
    for (let i = 0; i < 10; i++) limits.tryFrom('attacker');
    for (let i = 0; i < 9_998; i++) limits.tryFrom(address(i));
    // Seen again: most recent now, so the next newcomers push out address 0 and then 1, not the attacker.
    expect(limits.tryFrom('attacker')).toBe(6);
    limits.tryFrom('newcomer');
    limits.tryFrom('another newcomer');
    expect(limits.tryFrom('attacker')).toBe(6);
    // Address 0 was forgotten: it starts again with 10 tries.
    expect(limits.tryFrom(address(0))).toBe(0);
  });

  it('answers wrong tokens 429 past 60 from everywhere, then one a second', () => {
    let now = 0;
    const limits = new LoginLimits(() => now);
    for (let i = 0; i < 60; i++) limits.wrongToken();
    expect(limits.serverPausedFor()).toBe(1);
    now = 1000;
    expect(limits.serverPausedFor()).toBe(0);
  });
});
