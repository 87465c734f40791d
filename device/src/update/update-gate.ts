import type { Logger } from 'pino';
import type { InstallLayout } from './install-layout.ts';
import type { UpdateReporter } from './update-report.ts';
import { updateStatus } from './update-report.ts';
import { readUpdateRecord, type UpdateRecord, writeUpdateRecord } from './update-state.ts';

export const gateDefaults = {
  /** How often the new version looks at its own health while the gate is open. */
  pollMs: 2_000,
  /** Starts of the new version (crashes, watchdog restarts) before it is switched back without waiting. */
  maxStarts: 3,
} as const;

export interface GateHealth {
  /** Lock bus up and every board online (`/healthz` ok). */
  ok: boolean;
  fleetConnected: boolean | null;
}

export interface UpdateGateDeps {
  layout: InstallLayout;
  running: string;
  healthGateMs: number;
  health: () => GateHealth;
  report: UpdateReporter;
  restart: () => Promise<void>;
  now: () => Date;
  logger: Logger;
  options?: Partial<Record<keyof typeof gateDefaults, number>>;
}

/**
 * The health gate of a new version, run by that version: from its start it has `healthGateMs` to
 * report healthy (lock bus and fleet sync up), then commits the update. Otherwise — or when it has
 * started `maxStarts` times without passing — it points `current` back at the previous release,
 * records `rolled_back` and restarts; the previous version reports `update_rolled_back`. Also
 * reports an outcome the fleet has not heard yet (after a restart or an outage).
 */
export class UpdateGate {
  private pollTimer: NodeJS.Timeout | undefined;
  private deadline: NodeJS.Timeout | undefined;
  private record: UpdateRecord | undefined;
  private deciding = false;

  constructor(private readonly deps: UpdateGateDeps) {}

  /** Whether this process is a new version still on probation (its database backup may be needed). */
  get onProbation(): boolean {
    return this.record?.phase === 'switched' && this.record.version === this.deps.running;
  }

  /** Call first at start, before the store opens: counts this start of a version on probation. */
  start(): void {
    const { layout, running } = this.deps;
    const record = readUpdateRecord(layout.stateFile);
    this.record = record;
    if (record?.phase !== 'switched' || record.version !== running) return;
    const attempts = record.attempts + 1;
    this.save({ ...record, attempts });
    const { maxStarts, pollMs } = { ...gateDefaults, ...this.deps.options };
    if (attempts > maxStarts) {
      void this.rollBack(`the new version started ${record.attempts} times without passing its health gate`);
      return;
    }
    this.pollTimer = setInterval(() => this.poll(), pollMs);
    this.deadline = setTimeout(
      () =>
        void this.rollBack(
          `not healthy (lock bus and fleet sync) within ${this.deps.healthGateMs} ms: ${JSON.stringify(this.deps.health())}`,
        ),
      this.deps.healthGateMs,
    );
  }

  stop(): void {
    clearInterval(this.pollTimer);
    clearTimeout(this.deadline);
  }

  /** Sends the outcome the fleet has not heard yet (call when the fleet connection is up). */
  async reportPending(): Promise<void> {
    const record = this.record;
    if (!record || record.reported) return;
    const { running } = this.deps;
    const state =
      record.phase === 'committed' && record.version === running
        ? ('healthy' as const)
        : record.phase === 'rolled_back' && record.previous === running
          ? ('update_rolled_back' as const)
          : undefined;
    if (!state) return;
    const sent = await this.deps.report(
      updateStatus(
        { rolloutId: record.rolloutId, version: record.version, running, state, at: this.deps.now() },
        state === 'update_rolled_back'
          ? { code: 'UNHEALTHY', message: record.reason ?? 'the new version was not healthy' }
          : undefined,
      ),
    );
    if (sent) this.save({ ...record, reported: true });
  }

  private poll(): void {
    const health = this.deps.health();
    if (!health.ok || health.fleetConnected !== true || !this.record || this.deciding) return;
    this.deciding = true;
    this.stop();
    this.save({ ...this.record, phase: 'committed', reported: false });
    this.deps.layout.prune([this.record.version, this.record.previous]);
    this.deps.logger.info({ version: this.record.version }, 'new release passed its health gate');
    void this.reportPending();
  }

  private async rollBack(reason: string): Promise<void> {
    const record = this.record;
    if (!record || this.deciding) return;
    this.deciding = true;
    this.stop();
    this.deps.logger.error({ version: record.version, previous: record.previous, reason }, 'rolling back');
    this.deps.layout.switchTo(record.previous);
    this.save({ ...record, phase: 'rolled_back', reason: reason.slice(0, 500), reported: false });
    await this.deps.restart();
  }

  private save(record: UpdateRecord): void {
    this.record = record;
    writeUpdateRecord(this.deps.layout.stateFile, record);
  }
}
