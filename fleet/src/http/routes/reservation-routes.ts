import { reservationStateSchema } from '@locker/protocol';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { z } from 'zod';
import { itemTypeSchema, languageSchema } from '../../domain/item-types.ts';
import type { Fleet } from '../../fleet.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import type { ReservationRecord } from '../../store/reservation-repo.ts';
import { pickupLetter, pickupLetterCsp } from '../pages/pickup-letter.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { route } from '../route.ts';

const createBody = z
  .object({
    lockerId: z.string().min(1),
    itemType: z.string().min(1),
    citizen: z
      .object({
        name: z.string().trim().min(2).max(120),
        email: z.email().optional(),
        phone: z
          .string()
          .regex(/^\+\d{8,15}$/, 'international format, e.g. +32470123456')
          .optional(),
        language: languageSchema.default('nl'),
        channel: z.enum(['email', 'sms', 'ebox']).default('email'),
      })
      .strict(),
  })
  .strict();

const listQuery = z
  .object({
    lockerId: z.string().optional(),
    state: reservationStateSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** What staff see of a reservation: no code hashes. */
export function publicReservation(r: ReservationRecord) {
  const { pinHash: _p, qrHash: _q, returnPinHash: _r, ...rest } = r;
  return rest;
}

/** Desk work: create, list, cancel, resend, print a pickup letter; scoped to the caller's municipalities. */
export function reservationRoutes(app: FastifyInstance, fleet: Fleet): void {
  const owned = (principal: Principal, id: string) => {
    const record = fleet.store.reservations.get(id);
    if (!record || !maySee(principal, record.municipalityId)) throw notFound(`reservation ${id}`);
    return record;
  };

  route(
    app,
    {
      method: 'POST',
      url: '/api/reservations',
      summary: 'Create a reservation for a citizen',
      tag: 'reservations',
      roles: ['desk', 'admin'],
      body: createBody,
    },
    ({ principal, body }) => {
      const locker = fleet.store.lockers.get(body.lockerId);
      if (!locker || !maySee(principal, locker.municipalityId)) throw notFound(`locker ${body.lockerId}`);
      const { email, phone, ...citizen } = body.citizen;
      return publicReservation(
        fleet.reservations.create(
          {
            lockerId: body.lockerId,
            itemType: body.itemType,
            citizen: { ...citizen, ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
          },
          actorName(principal),
        ),
      );
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/reservations',
      summary: 'List reservations (newest first)',
      tag: 'reservations',
      roles: ['desk', 'it', 'admin'],
      query: listQuery,
    },
    ({ principal, query }) =>
      fleet.store.reservations
        .list({
          municipalities: scopeOf(principal),
          ...(query.lockerId ? { lockerId: query.lockerId } : {}),
          ...(query.state ? { states: [query.state] } : {}),
          limit: query.limit,
        })
        .map(publicReservation),
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/reservations/:id',
      summary: 'One reservation with its messages',
      tag: 'reservations',
      roles: ['desk', 'it', 'admin'],
    },
    ({ principal, params }) => {
      const record = owned(principal, params.id ?? '');
      const messages = fleet.store.notifications
        .forReservation(record.id)
        .map(({ secretBox: _s, ...n }) => n);
      return { ...publicReservation(record), messages };
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/reservations/:id/cancel',
      summary: 'Cancel until the item has left the locker',
      tag: 'reservations',
      roles: ['desk', 'admin'],
      body: z.object({ reason: z.string().trim().min(3).max(200) }).strict(),
    },
    ({ principal, params, body }) =>
      publicReservation(
        fleet.reservations.cancel(owned(principal, params.id ?? '').id, actorName(principal), body.reason),
      ),
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/reservations/:id/resend',
      summary: 'New codes, sent again (the old ones stop working)',
      tag: 'reservations',
      roles: ['desk', 'admin'],
    },
    async ({ principal, params }) => {
      const record = fleet.reservations.resend(owned(principal, params.id ?? '').id, actorName(principal));
      await fleet.notifications.runOnce();
      return publicReservation(record);
    },
  );

  route(
    app,
    {
      method: 'POST',
      url: '/api/reservations/:id/letter',
      summary: 'Printable pickup letter with new codes (HTML)',
      tag: 'reservations',
      roles: ['desk', 'admin'],
    },
    async ({ principal, params, reply }) => {
      const record = owned(principal, params.id ?? '');
      const codes = fleet.reservations.letterCodes(record.id, actorName(principal));
      const locker = fleet.store.lockers.get(record.lockerId);
      const site = locker?.siteId ? fleet.store.directory.site(locker.siteId) : undefined;
      const qrSvg = codes.qr
        ? await QRCode.toString(codes.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
        : '';
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', pickupLetterCsp);
      return pickupLetter({
        record,
        itemName: fleet.store.directory.itemType(record.itemType)?.names[record.language] ?? record.itemType,
        lockerName: locker?.name ?? record.lockerId,
        address: site?.address ?? '',
        qrSvg,
        ...(codes.pin ? { pin: codes.pin } : {}),
        ...(codes.returnPin ? { returnPin: codes.returnPin } : {}),
      });
    },
  );

  route(
    app,
    {
      method: 'PUT',
      url: '/api/item-types/:id',
      summary: 'Add or change an item type and its policy (administrators of every municipality)',
      tag: 'reservations',
      roles: ['admin'],
      body: itemTypeSchema,
    },
    ({ principal, params, body }) => {
      if (!principal.municipalities.includes('*'))
        throw new FleetError(
          'SCOPE_FORBIDDEN',
          'item types are shared by every municipality: only an administrator of all of them changes one',
        );
      if (body.id !== params.id)
        throw new FleetError('VALIDATION_FAILED', `body.id (${body.id}) must match the path (${params.id})`);
      fleet.store.transaction(() => {
        fleet.store.directory.upsertItemType(body);
        fleet.store.audit.append({
          actor: actorName(principal),
          action: 'item_type.put',
          municipalityId: null,
          target: body.id,
          data: body,
        });
      });
      return body;
    },
  );

  route(
    app,
    {
      method: 'GET',
      url: '/api/item-types',
      summary: 'Item types and their policies',
      tag: 'reservations',
      roles: ['desk', 'it', 'admin'],
    },
    () => fleet.store.directory.itemTypes(),
  );
}
