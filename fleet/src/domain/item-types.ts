import { sizeClassSchema } from '@locker/protocol';
import { z } from 'zod';

export const languageSchema = z.enum(['nl', 'fr', 'en', 'de']);
export type Language = z.infer<typeof languageSchema>;

export const itemTypeSchema = z
  .object({
    id: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/, 'lowercase letters, digits and _'),
    names: z.record(languageSchema, z.string().min(1).max(60)),
    kind: z.enum(['document', 'loan']),
    /** Identity documents: the QR from the message and the PIN from another channel, both. */
    twoFactor: z.boolean(),
    daysToCollect: z.number().int().min(1).max(90),
    /** Loans: days from pickup until the item must be back. */
    daysToReturn: z.number().int().min(1).max(365).nullable(),
    size: sizeClassSchema,
  })
  .strict()
  .refine((t) => (t.kind === 'loan') === (t.daysToReturn !== null), {
    message: 'loans need daysToReturn, documents must not have it',
    path: ['daysToReturn'],
  });
export type ItemType = z.infer<typeof itemTypeSchema>;

const names = (nl: string, fr: string, en: string, de: string) => ({ nl, fr, en, de });

/** What every municipality starts with; each can be changed through the API. */
export const defaultItemTypes: readonly ItemType[] = [
  {
    id: 'driving_licence',
    names: names('rijbewijs', 'permis de conduire', 'driving licence', 'Führerschein'),
    kind: 'document',
    twoFactor: true,
    daysToCollect: 14,
    daysToReturn: null,
    size: 'S',
  },
  {
    id: 'passport',
    names: names('internationaal paspoort', 'passeport', 'passport', 'Reisepass'),
    kind: 'document',
    twoFactor: true,
    daysToCollect: 14,
    daysToReturn: null,
    size: 'S',
  },
  {
    id: 'hall_key',
    names: names('zaalsleutel', 'clé de salle', 'community hall key', 'Saalschlüssel'),
    kind: 'loan',
    twoFactor: false,
    daysToCollect: 7,
    daysToReturn: 3,
    size: 'S',
  },
  {
    id: 'party_gear',
    names: names('feestmateriaal', 'matériel de fête', 'party gear', 'Festmaterial'),
    kind: 'loan',
    twoFactor: false,
    daysToCollect: 7,
    daysToReturn: 5,
    size: 'L',
  },
  {
    id: 'no_parking_sign',
    names: names(
      'parkeerverbodsbord',
      'panneau d’interdiction de stationner',
      'no-parking sign',
      'Halteverbotsschild',
    ),
    kind: 'loan',
    twoFactor: false,
    daysToCollect: 7,
    daysToReturn: 7,
    size: 'XL',
  },
];
