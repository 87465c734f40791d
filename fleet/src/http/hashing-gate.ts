import { FleetError } from '../services/fleet-errors.ts';

/**
 * Bounds concurrent password hashing: `concurrent` run at once, up to `queued` wait their turn in
 * order, and the rest are refused at once with 503 LOGIN_BUSY, so a flood of logins neither eats
 * the machine's memory (64 MiB per scrypt) nor makes a real login wait behind it for minutes.
 */
export class HashingGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Hashes computed since start: what /metrics shows as password checks. */
  evaluated = 0;
  /** Logins refused because the queue was full. */
  refused = 0;

  constructor(private readonly limits: { concurrent: number; queued: number }) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.limits.concurrent) {
      if (this.waiting.length >= this.limits.queued) {
        this.refused++;
        throw new FleetError('LOGIN_BUSY', 'too many logins at once; try again in a few seconds');
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      this.evaluated++;
      return await work();
    } finally {
      const next = this.waiting.shift();
      // the slot passes straight to the next waiter; `running` only drops when nobody waits
      if (next) next();
      else this.running--;
    }
  }
}
