import { z } from 'zod';

/** Version of every payload below; a breaking change bumps it and the topic root (`lockers/v1`). */
export const schemaVersion = 1 as const;

const v = z.literal(schemaVersion);
const isoTime = z.iso.datetime({ offset: true });
const hash = z.string().regex(/^[0-9a-f]{64}$/, 'a keyed code hash: 64 lowercase hex digits');
const id = z.string().min(1).max(64);

export const sizeClassSchema = z.enum(['S', 'M', 'L', 'XL']);
export type SizeClass = z.infer<typeof sizeClassSchema>;

export const reservationStateSchema = z.enum([
  'created',
  'ready_to_load',
  'loaded',
  'notified',
  'picked_up',
  'due',
  'returned',
  'expired',
  'retrieved',
  'cancelled',
]);
export type ReservationState = z.infer<typeof reservationStateSchema>;

/** A reservation as the fleet sends it to one locker: codes only as keyed hashes, no personal data. */
export const reservationSchema = z
  .object({
    id,
    /** What staff see while loading (a reference, never a name). */
    label: z.string().min(1).max(80),
    itemType: z.string().min(1).max(40),
    kind: z.enum(['document', 'loan']),
    size: sizeClassSchema,
    state: reservationStateSchema,
    pinHash: hash.optional(),
    qrHash: hash.optional(),
    /** Identity documents: the PIN and the QR code must both be shown, for this same reservation. */
    twoFactor: z.boolean(),
    returnPinHash: hash.optional(),
    expiresAt: isoTime,
    /** Loans: when the item must be back. */
    dueAt: isoTime.optional(),
  })
  .strict()
  // codes are issued once the item is in the locker: before that a reservation has none
  .refine((r) => !['loaded', 'notified'].includes(r.state) || r.pinHash || r.qrHash, {
    message: 'a loaded reservation needs a PIN or a QR hash',
    path: ['pinHash'],
  })
  .refine((r) => !r.twoFactor || (!r.pinHash && !r.qrHash) || (r.pinHash && r.qrHash), {
    message: 'two-factor reservations need both a PIN and a QR hash',
    path: ['twoFactor'],
  });
export type Reservation = z.infer<typeof reservationSchema>;

export const staffCredentialSchema = z
  .object({
    id,
    /** Initials or a staff number: what the screen may show. */
    display: z.string().min(1).max(40),
    role: z.enum(['desk', 'it']),
    badgeHash: hash.optional(),
    pinHash: hash.optional(),
  })
  .strict()
  .refine((s) => s.badgeHash || s.pinHash, { message: 'a staff member needs a badge or a PIN hash' });
export type StaffCredential = z.infer<typeof staffCredentialSchema>;

/** fleet → device: one change to the locker's reservations, or a full snapshot. */
export const reservationChangeSchema = z.discriminatedUnion('kind', [
  z
    .object({
      v,
      version: z.number().int().positive(),
      kind: z.literal('upsert'),
      reservation: reservationSchema,
    })
    .strict(),
  z
    .object({ v, version: z.number().int().positive(), kind: z.literal('remove'), reservationId: id })
    .strict(),
  z
    .object({
      v,
      version: z.number().int().positive(),
      kind: z.literal('snapshot'),
      reservations: z.array(reservationSchema).max(10_000),
      staff: z.array(staffCredentialSchema).max(10_000),
    })
    .strict(),
  z
    .object({
      v,
      version: z.number().int().positive(),
      kind: z.literal('staff'),
      staff: z.array(staffCredentialSchema).max(10_000),
    })
    .strict(),
]);
export type ReservationChange = z.infer<typeof reservationChangeSchema>;

/** device → fleet: the version it has applied (after each change, and on connect to ask for what it missed). */
export const syncStateSchema = z
  .object({ v, version: z.number().int().min(0), bootId: id, reason: z.enum(['applied', 'connect', 'gap']) })
  .strict();
export type SyncState = z.infer<typeof syncStateSchema>;

export const eventTypeSchema = z.enum([
  'door_opened',
  'door_closed',
  'loaded',
  'load_aborted',
  'picked_up',
  'returned',
  'retrieved',
  'reservation_state',
  'compartment_state',
  'code_rejected',
  'fault',
  'alarm',
  'reconciled',
]);
export type EventType = z.infer<typeof eventTypeSchema>;

export const actorSchema = z
  .object({
    kind: z.enum(['citizen', 'staff', 'fleet', 'system']),
    /** Staff id, fleet user, or the reservation whose code was used. */
    id: z.string().max(64).optional(),
  })
  .strict();
export type Actor = z.infer<typeof actorSchema>;

/** device → fleet, QoS 1, from the durable outbox; the fleet applies each id once, in `seq` order. */
export const lockerEventSchema = z
  .object({
    v,
    id: z.uuid(),
    seq: z.number().int().positive(),
    lockerId: id,
    type: eventTypeSchema,
    at: isoTime,
    compartment: z.number().int().positive().optional(),
    reservationId: id.optional(),
    actor: actorSchema.optional(),
    data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).default({}),
  })
  .strict();
export type LockerEvent = z.infer<typeof lockerEventSchema>;

/**
 * fleet → device, QoS 1: these events are applied (or were already). Only then does the device
 * remove them from its outbox: a broker's PUBACK proves the broker has a message, not that the
 * fleet applied it (an embedded broker dies with the fleet). Sent again for a redelivered event.
 */
export const eventsAckSchema = z
  .object({
    v,
    acks: z
      .array(z.object({ seq: z.number().int().positive(), id: z.uuid() }).strict())
      .min(1)
      .max(500),
  })
  .strict();
export type EventsAck = z.infer<typeof eventsAckSchema>;

export const commandSchema = z.discriminatedUnion('type', [
  z
    .object({
      v,
      requestId: id,
      type: z.literal('open'),
      compartment: z.number().int().positive(),
      reason: z.string().min(3).max(200),
      by: id,
    })
    .strict(),
  z
    .object({
      v,
      requestId: id,
      type: z.enum(['disable', 'enable']),
      compartment: z.number().int().positive(),
      reason: z.string().min(3).max(200),
      by: id,
    })
    .strict(),
  z.object({ v, requestId: id, type: z.literal('resync'), by: id }).strict(),
]);
export type Command = z.infer<typeof commandSchema>;

export const commandResultSchema = z
  .object({
    v,
    requestId: id,
    ok: z.boolean(),
    code: z.string().max(64).optional(),
    message: z.string().max(500).optional(),
    at: isoTime,
  })
  .strict();
export type CommandResult = z.infer<typeof commandResultSchema>;

export const presenceSchema = z.discriminatedUnion('state', [
  z.object({ v, state: z.literal('online'), software: z.string().max(40), bootId: id, at: isoTime }).strict(),
  z.object({ v, state: z.literal('offline'), bootId: id }).strict(),
]);
export type Presence = z.infer<typeof presenceSchema>;

const auditHashSchema = z.string().regex(/^[0-9a-f]{64}$/);
/** How many of the audit chain's last hashes each telemetry carries. */
export const auditTrailLength = 64;

export const telemetrySchema = z
  .object({
    v,
    at: isoTime,
    uptimeS: z.number().min(0),
    rssBytes: z.number().int().min(0),
    heapUsedBytes: z.number().int().min(0),
    temperatureC: z.number().nullable(),
    outboxDepth: z.number().int().min(0),
    bus: z.record(z.string(), z.number()),
    /** What the device knows of each compartment: the fleet's dashboard grid (no reservation data). */
    compartments: z
      .array(
        z
          .object({
            number: z.number().int().positive(),
            size: sizeClassSchema,
            state: z.enum(['free', 'reserved', 'occupied', 'open', 'fault', 'disabled']),
            door: z.enum(['open', 'closed', 'unknown']),
          })
          .strict(),
      )
      .max(500)
      .optional(),
    /** The database's file system: a write refused (disk full) is an alarm that needs no disk to travel. */
    storage: z
      .object({
        writable: z.boolean(),
        intact: z.boolean(),
        freeBytes: z.number().int().min(0).nullable(),
        lowDisk: z.boolean(),
      })
      .strict()
      .optional(),
    /**
     * The head of the locker's keyed audit chain and the hashes of the rows before it (oldest
     * first, the head's last): the fleet alarms `audit_fork` when a head does not extend the last
     * one it saw. Optional: older lockers send none.
     */
    audit: z
      .object({
        seq: z.number().int().min(0),
        hash: auditHashSchema,
        keyedFromSeq: z.number().int().positive(),
        recent: z.array(auditHashSchema).max(auditTrailLength),
      })
      .strict()
      .optional(),
  })
  .strict();
export type Telemetry = z.infer<typeof telemetrySchema>;
