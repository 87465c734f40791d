import { describe, expect, it } from 'vitest';
import { LoginLimiter } from './login-limiter.ts';

describe('login limiter', () => {
  it('blocks a user name after its limit for the rest of the window; an address has its own, higher limit', () => {
    let now = 0;
    const limiter = new LoginLimiter(60_000, () => now);
    const keys = (user: string) => [
      { key: `user:${user}`, max: 3 },
      { key: 'ip:1', max: 5 },
    ];
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter(keys('a'))).toBe(0);
      limiter.fail(keys('a'));
      now += 1000;
    }
    expect(limiter.retryAfter(keys('a'))).toBe(57);
    expect(limiter.retryAfter(keys('b'))).toBe(0);
    limiter.fail(keys('b'));
    limiter.fail(keys('b'));
    expect(limiter.retryAfter(keys('c'))).toBe(57);
    now = 60_001;
    expect(limiter.retryAfter(keys('a'))).toBe(0);
  });

  it('a good login clears its user name and takes back its own attempt, not the address’s earlier failures', () => {
    const limiter = new LoginLimiter(60_000, () => 0);
    const keys = [
      { key: 'user:c', max: 2 },
      { key: 'ip:2', max: 2 },
    ];
    limiter.fail(keys);
    expect(limiter.take(keys)).toBe(0);
    limiter.succeed(keys);
    expect(limiter.retryAfter([{ key: 'user:c', max: 1 }])).toBe(0);
    expect(limiter.retryAfter([{ key: 'ip:2', max: 1 }])).toBe(60);
    expect(limiter.retryAfter([{ key: 'ip:2', max: 2 }])).toBe(0);
  });

  it('counts an attempt when it is taken, so a burst cannot pass the check all at once', () => {
    const limiter = new LoginLimiter(60_000, () => 0);
    const keys = [{ key: 'user:d', max: 5 }];
    const waits = Array.from({ length: 40 }, () => limiter.take(keys));
    expect(waits.filter((w) => w === 0)).toHaveLength(5);
    expect(waits.filter((w) => w === 60)).toHaveLength(35);
  });
});
