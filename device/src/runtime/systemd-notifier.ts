import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

export interface NotifierHealth {
  ok: boolean;
  /** Why not ok (`starting`, `bus_unresponsive`, …): shown by `systemctl status` and logged. */
  problems: readonly string[];
}

/**
 * Tells systemd (Type=notify, WatchdogSec=…) that the locker is ready, then pings the watchdog
 * at half its period while the health check passes; a hung or unhealthy runtime (a dead lock bus)
 * gets restarted. Each change of health goes to systemd's STATUS and the log once, with its reasons.
 * Does nothing outside systemd (no NOTIFY_SOCKET).
 */
export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;
  private status = 'healthy';

  constructor(
    private readonly health: () => NotifierHealth,
    private readonly logger: Logger,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly command = 'systemd-notify',
  ) {}

  get active(): boolean {
    return Boolean(this.env.NOTIFY_SOCKET);
  }

  start(): void {
    if (!this.active) return;
    this.send(['--ready']);
    const periodUs = Number(this.env.WATCHDOG_USEC ?? 0);
    if (periodUs <= 0) return;
    this.timer = setInterval(() => this.tick(), periodUs / 2000);
  }

  private tick(): void {
    const { ok, problems } = this.health();
    const status = ok ? 'healthy' : `unhealthy: ${problems.join(', ')}`;
    const changed = status !== this.status;
    this.status = status;
    if (changed && ok) this.logger.info('health check passes again: watchdog pinged');
    if (changed && !ok) this.logger.warn({ problems }, 'health check failing: watchdog not pinged');
    const assignments = [...(ok ? ['WATCHDOG=1'] : []), ...(changed ? [`STATUS=${status}`] : [])];
    if (assignments.length > 0) this.send(assignments);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.active) this.send(['--stopping']);
  }

  private send(args: string[]): void {
    execFile(this.command, args, { env: this.env, timeout: 5000 }, (error) => {
      if (error)
        this.logger.warn({ err: error, args }, 'systemd-notify failed; is systemd-notify installed?');
    });
  }
}
