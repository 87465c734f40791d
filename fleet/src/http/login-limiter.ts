/** A key to count failures under (`user:…`, `ip:…`) and how many it may have in the window. */
export interface LimitKey {
  key: string;
  max: number;
}

/**
 * Failed logins per user name and per client address in a sliding window; past the limit the
 * login answers 429 with the seconds to wait, whatever the password. An address gets a higher
 * limit than a user name: a town hall's desks share one address.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait, or 0 when a login may be tried. */
  retryAfter(keys: readonly LimitKey[]): number {
    const now = this.now();
    let wait = 0;
    for (const { key, max } of keys) {
      const recent = (this.failures.get(key) ?? []).filter((t) => t > now - this.windowMs);
      this.failures.set(key, recent);
      if (recent.length >= max)
        wait = Math.max(wait, Math.ceil(((recent[0] ?? now) + this.windowMs - now) / 1000));
    }
    return wait;
  }

  fail(keys: readonly LimitKey[]): void {
    for (const { key } of keys) this.failures.set(key, [...(this.failures.get(key) ?? []), this.now()]);
  }

  /** A good login clears its user name; the address keeps its count (others may be guessing from it). */
  succeed(keys: readonly LimitKey[]): void {
    for (const { key } of keys) if (key.startsWith('user:')) this.failures.delete(key);
  }
}
