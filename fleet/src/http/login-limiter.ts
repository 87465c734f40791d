/** How many logins are tried and hashed; see `LoginLimiter` and `HashingGate`. */
export interface LoginLimits {
  /** Attempts per user name in the window. */
  perUser: number;
  /** Attempts per client address in the window (a town hall's desks share one). */
  perAddress: number;
  windowMs: number;
  /** Password hashes computed at once (scrypt takes 64 MiB and a core each). */
  concurrentHashes: number;
  /** Logins waiting for a hash slot; past that the login answers 503 LOGIN_BUSY. */
  queuedHashes: number;
}

export const defaultLoginLimits: LoginLimits = {
  perUser: 5,
  perAddress: 50,
  windowMs: 15 * 60_000,
  concurrentHashes: 2,
  queuedHashes: 16,
};

/** A key to count failures under (`user:…`, `ip:…`) and how many it may have in the window. */
export interface LimitKey {
  key: string;
  max: number;
}

/**
 * Login attempts per user name and per client address in a sliding window; past the limit the
 * login answers 429 with the seconds to wait, whatever the password. An attempt is counted when
 * it starts, before its password is hashed, so that concurrent attempts cannot all pass the check.
 * An address gets a higher limit than a user name: a town hall's desks share one address.
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

  /** Counts an attempt on every key and returns 0; or, when a key is at its limit, counts nothing and returns the seconds to wait. */
  take(keys: readonly LimitKey[]): number {
    const wait = this.retryAfter(keys);
    if (wait === 0) this.fail(keys);
    return wait;
  }

  /**
   * A good login clears its user name and takes back its own attempt from the address; the
   * address keeps its earlier failures (others may be guessing from it).
   */
  succeed(keys: readonly LimitKey[]): void {
    for (const { key } of keys)
      if (key.startsWith('user:')) this.failures.delete(key);
      else this.failures.get(key)?.pop();
  }
}
