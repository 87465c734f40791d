import { reservationStateSchema } from '@locker/protocol';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { itemTypeSchema, languageSchema } from '../../domain/item-types.ts';
import { FleetError, notFound } from '../../services/fleet-errors.ts';
import type { LockerDesk } from '../../services/locker-desk.ts';
import type { ReservationDesk } from '../../services/reservation-desk.ts';
import type { ReservationRecord } from '../../store/reservation-repo.ts';
import { pickupLetter, pickupLetterCsp } from '../pages/pickup-letter.ts';
import { actorName, maySee, type Principal, scopeOf } from '../principal.ts';
import { describeRoute, principalOf } from '../route.ts';
import { channelSchema, idParams, messageView, reservationView } from '../schemas.ts';

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
        channel: channelSchema.default('email'),
      })
      .strict(),
  })
  .strict();

/** `Idempotency-Key`: one per form fill; the same key again answers the reservation it made. */
const createHeaders = z.looseObject({
  'idempotency-key': z
    .string()
    .regex(/^[A-Za-z0-9_-]{8,128}$/, '8–128 characters of A-Z, a-z, 0-9, - and _')
    .optional()
    .describe('one per reservation meant; a repeat with the same key and body answers the same reservation'),
});

const listQuery = z
  .object({
    lockerId: z.string().optional(),
    state: reservationStateSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/** What staff see of a reservation: no code hashes. */
function publicReservation<R extends ReservationRecord>(r: R) {
  const { pinHash: _p, qrHash: _q, returnPinHash: _r, ...rest } = r;
  return rest;
}

export interface ReservationRouteDeps {
  reservations: Pick<
    ReservationDesk,
    'create' | 'find' | 'list' | 'messages' | 'cancel' | 'resend' | 'letter' | 'itemTypes' | 'putItemType'
  >;
  lockers: Pick<LockerDesk, 'find'>;
}

/** Desk work: create, list, cancel, resend, print a pickup letter; scoped to the caller's municipalities. */
export const reservationRoutes: FastifyPluginAsyncZod<ReservationRouteDeps> = async (app, deps) => {
  const { reservations, lockers } = deps;
  const owned = (principal: Principal, id: string) => {
    const record = reservations.find(id);
    if (!record || !maySee(principal, record.municipalityId)) throw notFound(`reservation ${id}`);
    return record;
  };

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/reservations',
      summary: 'Create a reservation for a citizen',
      tag: 'reservations',
      access: ['desk', 'admin'],
      errors: [
        'NOT_FOUND',
        'LOCKER_DECOMMISSIONED',
        'ITEM_TYPE_UNKNOWN',
        'ITEM_DOES_NOT_FIT',
        'CONTACT_MISSING',
        'SECOND_CHANNEL_MISSING',
        'IDEMPOTENCY_KEY_REUSED',
      ],
      schema: { body: createBody, headers: createHeaders },
      success: reservationView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const { body } = request;
      const locker = lockers.find(body.lockerId);
      if (!locker || !maySee(principal, locker.municipalityId)) throw notFound(`locker ${body.lockerId}`);
      const key = request.headers['idempotency-key'];
      const { email, phone, ...citizen } = body.citizen;
      return publicReservation(
        reservations.create(
          {
            lockerId: body.lockerId,
            itemType: body.itemType,
            citizen: { ...citizen, ...(email ? { email } : {}), ...(phone ? { phone } : {}) },
          },
          actorName(principal),
          key ? { principal: `${principal.kind}:${principal.id}`, key } : undefined,
        ),
      );
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/reservations',
      summary: 'List reservations (newest first)',
      tag: 'reservations',
      access: ['desk', 'it', 'admin'],
      schema: { querystring: listQuery },
      success: z.array(
        reservationView.extend({
          message: messageView
            .pick({ kind: true, channel: true, state: true, attempts: true, lastError: true })
            .nullable()
            .describe('the newest message: pending (queued or retrying), sent, or failed (given up)'),
        }),
      ),
    }),
    handler: async (request) => {
      const { query } = request;
      return reservations
        .list({
          municipalities: scopeOf(principalOf(request)),
          ...(query.lockerId ? { lockerId: query.lockerId } : {}),
          ...(query.state ? { states: [query.state] } : {}),
          limit: query.limit,
        })
        .map(publicReservation);
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/reservations/:id',
      summary: 'One reservation with its messages',
      tag: 'reservations',
      access: ['desk', 'it', 'admin'],
      errors: ['NOT_FOUND'],
      schema: { params: idParams },
      success: reservationView.extend({ messages: z.array(messageView) }),
    }),
    handler: async (request) => {
      const record = owned(principalOf(request), request.params.id);
      return { ...publicReservation(record), messages: reservations.messages(record.id) };
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/reservations/:id/cancel',
      summary: 'Cancel until the item has left the locker',
      tag: 'reservations',
      access: ['desk', 'admin'],
      errors: ['NOT_FOUND', 'RESERVATION_NOT_CANCELLABLE'],
      schema: { params: idParams, body: z.object({ reason: z.string().trim().min(3).max(200) }).strict() },
      success: reservationView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const record = owned(principal, request.params.id);
      return publicReservation(reservations.cancel(record.id, actorName(principal), request.body.reason));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/reservations/:id/resend',
      summary: 'New codes, sent again (the old ones stop working)',
      tag: 'reservations',
      access: ['desk', 'admin'],
      errors: ['NOT_FOUND', 'RESERVATION_NOT_WAITING', 'PIN_SPACE_EXHAUSTED'],
      schema: { params: idParams },
      success: reservationView,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const record = owned(principal, request.params.id);
      return publicReservation(await reservations.resend(record.id, actorName(principal)));
    },
  });

  app.route({
    ...describeRoute({
      method: 'POST',
      url: '/api/reservations/:id/letter',
      summary: 'Printable pickup letter with new codes (HTML)',
      tag: 'reservations',
      access: ['desk', 'admin'],
      errors: ['NOT_FOUND', 'RESERVATION_NOT_WAITING', 'PIN_SPACE_EXHAUSTED'],
      schema: { params: idParams },
      success: z.string().describe('text/html: the letter, under its own content security policy'),
    }),
    handler: async (request, reply) => {
      const principal = principalOf(request);
      const letter = reservations.letter(owned(principal, request.params.id).id, actorName(principal));
      const { codes } = letter;
      const qrSvg = codes.qr
        ? await QRCode.toString(codes.qr, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 })
        : '';
      reply
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-security-policy', pickupLetterCsp);
      return pickupLetter({
        record: letter.record,
        itemName: letter.itemName,
        lockerName: letter.lockerName,
        address: letter.address,
        qrSvg,
        ...(codes.pin ? { pin: codes.pin } : {}),
        ...(codes.returnPin ? { returnPin: codes.returnPin } : {}),
      });
    },
  });

  app.route({
    ...describeRoute({
      method: 'PUT',
      url: '/api/item-types/:id',
      summary: 'Add or change an item type and its policy (administrators of every municipality)',
      tag: 'reservations',
      access: ['admin'],
      errors: ['SCOPE_FORBIDDEN'],
      schema: { params: idParams, body: itemTypeSchema },
      success: itemTypeSchema,
    }),
    handler: async (request) => {
      const principal = principalOf(request);
      const { body, params } = request;
      if (!principal.municipalities.includes('*'))
        throw new FleetError(
          'SCOPE_FORBIDDEN',
          'item types are shared by every municipality: only an administrator of all of them changes one',
        );
      if (body.id !== params.id)
        throw new FleetError('VALIDATION_FAILED', `body.id (${body.id}) must match the path (${params.id})`);
      return reservations.putItemType(body, actorName(principal));
    },
  });

  app.route({
    ...describeRoute({
      method: 'GET',
      url: '/api/item-types',
      summary: 'Item types and their policies',
      tag: 'reservations',
      access: ['desk', 'it', 'admin'],
      success: z.array(itemTypeSchema),
      schema: {},
    }),
    handler: async () => reservations.itemTypes(),
  });
};
