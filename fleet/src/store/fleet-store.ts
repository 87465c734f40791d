import { chmodSync, closeSync, openSync } from 'node:fs';
import { openSqlite } from '@locker/node-kit';
import type Database from 'better-sqlite3';
import { AuditHeadRepo } from './audit-head-repo.ts';
import { AuditRepo } from './audit-repo.ts';
import { DirectoryRepo } from './directory-repo.ts';
import { EventRepo } from './event-repo.ts';
import { IdempotencyRepo } from './idempotency-repo.ts';
import { LockerRepo } from './locker-repo.ts';
import { fleetMigrations } from './migrations.ts';
import { NotificationRepo } from './notification-repo.ts';
import { ReservationRepo } from './reservation-repo.ts';
import { UserRepo } from './user-repo.ts';

/**
 * The fleet's SQLite database (WAL, synchronous FULL: an event is acknowledged to its locker only after
 * its commit, so the commit must survive a power cut). One repository per concern over one connection.
 */
export class FleetStore {
  readonly directory: DirectoryRepo;
  readonly lockers: LockerRepo;
  readonly reservations: ReservationRepo;
  readonly events: EventRepo;
  readonly users: UserRepo;
  readonly audit: AuditRepo;
  readonly auditHeads: AuditHeadRepo;
  readonly notifications: NotificationRepo;
  readonly idempotency: IdempotencyRepo;

  private constructor(
    readonly db: Database.Database,
    auditKey: string | undefined,
  ) {
    this.directory = new DirectoryRepo(db);
    this.lockers = new LockerRepo(db);
    this.reservations = new ReservationRepo(db);
    this.events = new EventRepo(db);
    this.users = new UserRepo(db);
    this.audit = new AuditRepo(db, auditKey);
    this.auditHeads = new AuditHeadRepo(db);
    this.notifications = new NotificationRepo(db);
    this.idempotency = new IdempotencyRepo(db);
  }

  /**
   * Opens (or creates) the store readable by the fleet's own user only (mode 600): it holds staff
   * password hashes and sealed locker keys. SQLite gives its -wal and -shm files the same mode.
   * `auditKey` (`fleetAuditKey` of the master key) chains the audit table; without it the
   * store can be read but audits nothing.
   */
  static open(path: string, options: { auditKey?: string } = {}): FleetStore {
    closeSync(openSync(path, 'a', 0o600));
    chmodSync(path, 0o600);
    return new FleetStore(openSqlite(path, fleetMigrations), options.auditKey);
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
