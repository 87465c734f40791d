import { reservationStateSchema } from '@locker/protocol';
import { z } from 'zod';
import { languageSchema } from '../domain/item-types.ts';

/** The success bodies of the API, as zod schemas: documented in OpenAPI and enforced when sent. */
const id = z.string();
const at = z.string().describe('ISO 8601 time');
export const roleSchema = z.enum(['desk', 'it', 'admin']);
export const channelSchema = z.enum(['email', 'sms', 'ebox']);
export const ok = z.object({ ok: z.literal(true) });
export const idParams = z.object({ id: z.string() });

/** What staff see of a reservation: no code hashes. */
export const reservationView = z.object({
  id,
  ref: z.string(),
  municipalityId: id,
  lockerId: id,
  itemType: id,
  state: reservationStateSchema,
  citizenName: z.string(),
  citizenEmail: z.string().nullable(),
  citizenPhone: z.string().nullable(),
  language: languageSchema,
  channel: channelSchema,
  compartment: z.number().int().nullable(),
  expiresAt: at.nullable(),
  dueAt: at.nullable(),
  overdue: z.boolean(),
  reminded: z.boolean(),
  createdBy: z.string(),
  createdAt: at,
  updatedAt: at,
});

/** A message to the citizen, without the codes it carries. */
export const messageView = z.object({
  id,
  reservationId: id,
  kind: z.enum(['ready', 'pin', 'expiry_reminder', 'return_reminder', 'overdue']),
  channel: channelSchema,
  recipient: z.string(),
  language: languageSchema,
  state: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  nextAt: at,
  lastError: z.string().nullable(),
  sentAt: at.nullable(),
  createdAt: at,
});

const compartmentView = z.object({
  lockerId: id,
  number: z.number().int(),
  size: z.string().nullish(),
  state: z.string(),
  door: z.string(),
  reservationId: id.nullable(),
  fault: z.string().nullable(),
  updatedAt: at,
});

const alarmView = z.object({
  id,
  lockerId: id,
  compartment: z.number().int().nullable(),
  kind: z.enum(['fault', 'alarm']),
  code: z.string(),
  at,
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: at.nullable(),
});

/** What the dashboard shows of a locker: never its credential hash or code key. */
export const lockerView = z.object({
  id,
  municipalityId: id,
  siteId: id.nullable(),
  name: z.string(),
  createdAt: at,
  online: z.boolean(),
  lastSeen: at.nullable(),
  software: z.string().nullable(),
  bootId: z.string().nullable(),
  telemetry: z.record(z.string(), z.unknown()).nullable().describe('the locker’s last telemetry message'),
  appliedVersion: z.number().int(),
  lastSeq: z.number().int(),
  decommissionedAt: at.nullable(),
  decommissionReason: z.string().nullable(),
  latestVersion: z.number().int().describe('the newest change for this locker; = appliedVersion in sync'),
  compartments: z.array(compartmentView),
  alarms: z.array(alarmView),
});

export const userView = z.object({
  id,
  username: z.string(),
  display: z.string(),
  role: roleSchema,
  municipalities: z.array(z.string()),
  disabled: z.boolean(),
  createdAt: at,
});

export const tokenView = z.object({
  id,
  name: z.string(),
  role: roleSchema,
  municipalities: z.array(z.string()),
  ownerUserId: id.nullable(),
  ownerDisabled: z.boolean(),
  createdAt: at,
  revoked: z.boolean(),
  revokedAt: at.nullable(),
  revokedBy: z.string().nullable(),
});

export const auditView = z.object({
  seq: z.number().int(),
  at,
  actor: z.string(),
  action: z.string(),
  municipalityId: id.nullable(),
  target: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export const municipalityView = z.object({ id, name: z.string() });

export const principalView = z.object({
  kind: z.enum(['user', 'token']),
  id,
  display: z.string(),
  role: roleSchema,
  municipalities: z.array(z.string()),
});
