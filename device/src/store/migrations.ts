import type { Migration } from '@locker/node-kit';

/** Ordered, append-only: a released migration is never edited, only followed by a new one. */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'compartments, reservations, staff, outbox, audit log, pending unlocks, lockout',
    sql: `
      CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE compartments (
        number INTEGER PRIMARY KEY,
        state TEXT NOT NULL CHECK (state IN ('free','reserved','occupied','open','fault','disabled')),
        reservation_id TEXT,
        door TEXT NOT NULL DEFAULT 'unknown',
        item_present INTEGER,
        opens INTEGER NOT NULL DEFAULT 0,
        fault TEXT,
        disabled_reason TEXT,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE reservations (
        id TEXT PRIMARY KEY,
        label TEXT NOT NULL,
        item_type TEXT NOT NULL,
        kind TEXT NOT NULL,
        size TEXT NOT NULL,
        state TEXT NOT NULL,
        pin_hash TEXT,
        qr_hash TEXT,
        two_factor INTEGER NOT NULL,
        return_pin_hash TEXT,
        expires_at TEXT NOT NULL,
        due_at TEXT,
        compartment INTEGER,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX reservations_pin ON reservations (pin_hash);
      CREATE INDEX reservations_qr ON reservations (qr_hash);
      CREATE INDEX reservations_return ON reservations (return_pin_hash);
      CREATE TABLE staff (
        id TEXT PRIMARY KEY,
        display TEXT NOT NULL,
        role TEXT NOT NULL,
        badge_hash TEXT,
        pin_hash TEXT
      );
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL
      );
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        compartment INTEGER NOT NULL,
        actor_kind TEXT NOT NULL,
        actor_id TEXT,
        reason TEXT NOT NULL,
        outcome TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TABLE pending_unlocks (
        compartment INTEGER PRIMARY KEY,
        purpose TEXT NOT NULL,
        reservation_id TEXT,
        actor_kind TEXT NOT NULL,
        actor_id TEXT,
        started_at TEXT NOT NULL,
        opened INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE commands_seen (
        request_id TEXT PRIMARY KEY,
        result TEXT NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'audit log keyed with the audit key from the next row on',
    // rows written so far keep their unkeyed SHA-256 hashes; the first keyed row's HMAC covers the
    // last of them and this boundary, so neither the old rows nor the mark can change unseen
    sql: `
      INSERT INTO meta (key, value)
        SELECT 'audit_keyed_from_seq', CAST(COALESCE(MAX(seq), 0) + 1 AS TEXT) FROM audit_log;
    `,
  },
];
