import type { Logger } from 'pino';
import type { FleetAuditVerdict } from '../store/audit-chain.ts';
import type { AuditRepo } from '../store/audit-repo.ts';

/** A full verification costs about 23 ms per 1,000 rows (2-core machine under load): not on every /healthz. */
export const auditChainWatchDefaults = { verifyEveryMs: 60 * 60_000 } as const;

/**
 * Verifies the fleet's audit chain at start and then every `verifyEveryMs`, logs a broken chain as an
 * error, and keeps the last verdict for /healthz and /metrics (`verify-audit` checks on demand).
 */
export class AuditChainWatch {
  private timer: NodeJS.Timeout | undefined;
  private last: FleetAuditVerdict | undefined;

  constructor(
    private readonly audit: AuditRepo,
    private readonly logger: Logger,
    private readonly verifyEveryMs: number = auditChainWatchDefaults.verifyEveryMs,
  ) {}

  /** The last verdict; undefined before start. */
  get verdict(): FleetAuditVerdict | undefined {
    return this.last;
  }

  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.verifyEveryMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  check(): FleetAuditVerdict {
    const verdict = this.audit.verify();
    if (!verdict.intact && (this.last?.intact ?? true))
      this.logger.error(
        verdict,
        'the fleet audit chain does not verify: a row was edited or removed in fleet.db',
      );
    this.last = verdict;
    return verdict;
  }
}
