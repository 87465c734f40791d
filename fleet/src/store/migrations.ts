import type { Migration } from '@locker/node-kit';

/** Ordered, append-only: a released migration is never edited, only followed by a new one. */
export const fleetMigrations: readonly Migration[] = [
  {
    version: 1,
    name: 'municipalities, sites, lockers, compartments, item types, reservations, changes, events, users, sessions, tokens, audit, notifications, alarms, commands',
    sql: `
      CREATE TABLE municipalities (id TEXT PRIMARY KEY, name TEXT NOT NULL);
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        municipality_id TEXT NOT NULL REFERENCES municipalities (id),
        name TEXT NOT NULL,
        address TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE lockers (
        id TEXT PRIMARY KEY,
        municipality_id TEXT NOT NULL REFERENCES municipalities (id),
        site_id TEXT REFERENCES sites (id),
        name TEXT NOT NULL,
        mqtt_hash TEXT NOT NULL,
        code_key_box TEXT NOT NULL,
        created_at TEXT NOT NULL,
        online INTEGER NOT NULL DEFAULT 0,
        last_seen TEXT,
        software TEXT,
        boot_id TEXT,
        telemetry TEXT,
        applied_version INTEGER NOT NULL DEFAULT 0,
        last_seq INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE compartments (
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        number INTEGER NOT NULL,
        size TEXT,
        state TEXT NOT NULL DEFAULT 'free',
        door TEXT NOT NULL DEFAULT 'unknown',
        reservation_id TEXT,
        fault TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (locker_id, number)
      );
      CREATE TABLE item_types (
        id TEXT PRIMARY KEY,
        names TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('document','loan')),
        two_factor INTEGER NOT NULL,
        days_to_collect INTEGER NOT NULL,
        days_to_return INTEGER,
        size TEXT NOT NULL
      );
      CREATE TABLE reservations (
        id TEXT PRIMARY KEY,
        ref TEXT NOT NULL UNIQUE,
        municipality_id TEXT NOT NULL REFERENCES municipalities (id),
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        item_type TEXT NOT NULL REFERENCES item_types (id),
        state TEXT NOT NULL,
        citizen_name TEXT NOT NULL,
        citizen_email TEXT,
        citizen_phone TEXT,
        language TEXT NOT NULL,
        channel TEXT NOT NULL,
        pin_hash TEXT,
        qr_hash TEXT,
        return_pin_hash TEXT,
        compartment INTEGER,
        expires_at TEXT,
        due_at TEXT,
        overdue INTEGER NOT NULL DEFAULT 0,
        reminded INTEGER NOT NULL DEFAULT 0,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX reservations_locker ON reservations (locker_id, state);
      CREATE INDEX reservations_municipality ON reservations (municipality_id, state);
      CREATE TABLE locker_changes (
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        version INTEGER NOT NULL,
        payload TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (locker_id, version)
      );
      CREATE TABLE events (
        id TEXT PRIMARY KEY,
        locker_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        type TEXT NOT NULL,
        at TEXT NOT NULL,
        compartment INTEGER,
        reservation_id TEXT,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
      );
      CREATE INDEX events_locker ON events (locker_id, seq);
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,
        display TEXT NOT NULL,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('desk','it','admin')),
        municipalities TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      );
      CREATE TABLE staff_pins (
        user_id TEXT NOT NULL REFERENCES users (id),
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        pin_hash TEXT NOT NULL,
        PRIMARY KEY (user_id, locker_id)
      );
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id),
        csrf TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE TABLE api_tokens (
        id TEXT PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        role TEXT NOT NULL,
        municipalities TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked INTEGER NOT NULL DEFAULT 0
      );
      CREATE TABLE audit (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        municipality_id TEXT,
        target TEXT,
        data TEXT NOT NULL
      );
      CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
      CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        reservation_id TEXT NOT NULL REFERENCES reservations (id),
        kind TEXT NOT NULL,
        channel TEXT NOT NULL,
        recipient TEXT NOT NULL,
        language TEXT NOT NULL,
        secret_box TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending','sent','failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        last_error TEXT,
        sent_at TEXT,
        created_at TEXT NOT NULL
      );
      CREATE INDEX notifications_due ON notifications (state, next_at);
      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        compartment INTEGER,
        kind TEXT NOT NULL CHECK (kind IN ('fault','alarm')),
        code TEXT NOT NULL,
        at TEXT NOT NULL,
        acknowledged_by TEXT,
        acknowledged_at TEXT
      );
      CREATE TABLE commands (
        request_id TEXT PRIMARY KEY,
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        type TEXT NOT NULL,
        compartment INTEGER,
        reason TEXT NOT NULL,
        by_user TEXT NOT NULL,
        at TEXT NOT NULL,
        ok INTEGER,
        result_code TEXT,
        answered_at TEXT
      );
    `,
  },
  {
    version: 2,
    name: 'audit chained with HMAC from the next row on; last audit chain head of each locker',
    // rows so far keep no hash: the chain runs through them with SHA-256 and the first keyed row covers them
    sql: `
      ALTER TABLE audit ADD COLUMN prev_hash TEXT;
      ALTER TABLE audit ADD COLUMN hash TEXT;
      CREATE TABLE audit_chain (id INTEGER PRIMARY KEY CHECK (id = 1), keyed_from_seq INTEGER NOT NULL);
      INSERT INTO audit_chain (id, keyed_from_seq) SELECT 1, COALESCE(MAX(seq), 0) + 1 FROM audit;
      CREATE TRIGGER audit_chain_no_update BEFORE UPDATE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit_chain is fixed'); END;
      CREATE TRIGGER audit_chain_no_delete BEFORE DELETE ON audit_chain
        BEGIN SELECT RAISE(ABORT, 'audit_chain is fixed'); END;
      CREATE TABLE locker_audit_heads (
        locker_id TEXT PRIMARY KEY REFERENCES lockers (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        keyed_from_seq INTEGER NOT NULL,
        at TEXT NOT NULL
      );
    `,
  },
  {
    version: 3,
    name: 'offboarding: decommissioned lockers, API tokens with an owner and a revocation record',
    sql: `
      ALTER TABLE lockers ADD COLUMN decommissioned_at TEXT;
      ALTER TABLE lockers ADD COLUMN decommission_reason TEXT;
      ALTER TABLE api_tokens ADD COLUMN owner_user_id TEXT REFERENCES users (id);
      ALTER TABLE api_tokens ADD COLUMN revoked_at TEXT;
      ALTER TABLE api_tokens ADD COLUMN revoked_by TEXT;
    `,
  },
  {
    version: 4,
    name: "software releases (signed manifests, artifact files) and staged rollouts with each locker's outcome",
    sql: `
      CREATE TABLE releases (
        version TEXT PRIMARY KEY,
        role TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        signed_manifest TEXT NOT NULL,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
      );
      CREATE TABLE rollouts (
        id TEXT PRIMARY KEY,
        version TEXT NOT NULL REFERENCES releases (version),
        target TEXT NOT NULL,
        stages TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('running','paused','aborted','stopped','done')),
        stage INTEGER NOT NULL,
        stopped_reason TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE rollout_lockers (
        rollout_id TEXT NOT NULL REFERENCES rollouts (id),
        locker_id TEXT NOT NULL REFERENCES lockers (id),
        stage INTEGER NOT NULL,
        position INTEGER NOT NULL,
        state TEXT NOT NULL,
        code TEXT,
        message TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (rollout_id, locker_id)
      );
    `,
  },
  {
    version: 5,
    name: 'idempotency keys of reservation creations (per caller, kept at least 24 h)',
    sql: `
      CREATE TABLE idempotency_keys (
        principal TEXT NOT NULL,
        key TEXT NOT NULL,
        request_hash TEXT NOT NULL,
        reservation_id TEXT NOT NULL REFERENCES reservations (id),
        created_at TEXT NOT NULL,
        PRIMARY KEY (principal, key)
      );
      CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
    `,
  },
];
