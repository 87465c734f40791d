import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/**
 * Tells systemd (Type=notify, WatchdogSec=…) that the locker is ready, then pings the watchdog
 * at half its period while the health check passes; a hung or unhealthy runtime gets restarted.
 * Does nothing outside systemd (no NOTIFY_SOCKET).
 */
export class SystemdNotifier {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly healthy: () => boolean,
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
    this.timer = setInterval(() => {
      if (this.healthy()) this.send(['WATCHDOG=1']);
      else this.logger.warn('health check failing: watchdog not pinged');
    }, periodUs / 2000);
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
