/**
 * Reconnecting to the broker with capped exponential backoff and full jitter ("Exponential
 * Backoff And Jitter", AWS Architecture Blog): after a fleet restart, thousands of lockers spread
 * their attempts over the window instead of all knocking in the same millisecond, as MQTT.js's
 * fixed `reconnectPeriod` makes them do.
 */
export interface ReconnectBackoff {
  /** Ceiling of the first delay after a loss. */
  baseMs: number;
  /** The ceiling never grows beyond this. */
  maxMs: number;
  /** A connection that lasted this long counts as stable: the next loss starts again at `baseMs`. */
  stableMs: number;
}

export const reconnectBackoffDefaults: Readonly<ReconnectBackoff> = {
  baseMs: 1000,
  maxMs: 60_000,
  stableMs: 30_000,
};

/** Delay before attempt `attempt` (0: the first after a loss): uniform in [0, min(max, base·2^attempt)). */
export function reconnectDelayMs(
  attempt: number,
  random: () => number,
  backoff: Pick<ReconnectBackoff, 'baseMs' | 'maxMs'> = reconnectBackoffDefaults,
): number {
  const ceiling = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** The part of an MQTT.js client the reconnector drives (created with `reconnectPeriod: 0`). */
export interface ReconnectableClient {
  on(event: 'connect' | 'close', listener: () => void): unknown;
  off(event: 'connect' | 'close', listener: () => void): unknown;
  reconnect(): unknown;
}

export interface ReconnectSchedule {
  attempt: number;
  delayMs: number;
}

export interface ReconnectorOptions {
  backoff?: Partial<ReconnectBackoff>;
  /** Jitter source in [0, 1); tests inject a seeded one. */
  random?: () => number;
  /** Monotonic milliseconds: a stepped wall clock must not change how long a connection lasted. */
  now?: () => number;
  /** Told of every reconnect it schedules (for logs and tests). */
  onSchedule?: (schedule: ReconnectSchedule) => void;
}

/**
 * Drives an MQTT.js client's reconnects: on every `close` it schedules one `reconnect()` after
 * {@link reconnectDelayMs}; the attempt count starts again after a stable connection.
 */
export class MqttReconnector {
  private attempt = 0;
  private connectedAt: number | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;

  constructor(
    private readonly client: ReconnectableClient,
    private readonly options: ReconnectorOptions = {},
  ) {}

  private readonly onConnect = () => {
    this.connectedAt = this.now();
  };

  private readonly onClose = () => {
    if (!this.running || this.timer) return;
    const backoff = { ...reconnectBackoffDefaults, ...this.options.backoff };
    if (this.connectedAt !== null && this.now() - this.connectedAt >= backoff.stableMs) this.attempt = 0;
    this.connectedAt = null;
    const schedule = {
      attempt: this.attempt,
      delayMs: reconnectDelayMs(this.attempt, this.options.random ?? Math.random, backoff),
    };
    this.attempt++;
    this.options.onSchedule?.(schedule);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.running) this.client.reconnect();
    }, schedule.delayMs);
  };

  start(): void {
    this.running = true;
    this.client.on('connect', this.onConnect);
    this.client.on('close', this.onClose);
  }

  /** Before ending the client: its last `close` must not schedule anything. */
  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.client.off('connect', this.onConnect);
    this.client.off('close', this.onClose);
  }

  private now(): number {
    return this.options.now ? this.options.now() : performance.now();
  }
}
