import { z } from 'zod';

/** Faults on the wire and on whole boards, switchable at run time. Door faults live on each door. */
export const busFaultsSchema = z
  .object({
    /** Boards that do not answer and do not act (dead, unpowered, wrong address). */
    silentBoards: z.array(z.number().int().min(0).max(255)),
    /** Chance per reply byte of being flipped to another value. */
    corruptRate: z.number().min(0).max(1),
    /** Chance per reply byte of being lost. */
    dropRate: z.number().min(0).max(1),
    /** Chance per request byte (device → boards) of being flipped: the board's checksum must refuse it. */
    requestCorruptRate: z.number().min(0).max(1),
    /** Chance per request byte of being lost: a lost unlock frame must never open a door. */
    requestDropRate: z.number().min(0).max(1),
    /** Replies cut into this many bursts, `delayMs` apart (USB adapters, TCP bridges). */
    splitReplies: z
      .object({ parts: z.number().int().min(2).max(64), delayMs: z.number().min(0).max(5000) })
      .nullable(),
    /** Random bytes sent before each reply (line noise, another device's echo). */
    junkBeforeReply: z.number().int().min(0).max(256),
    /** Boards that share their address with a second board: both answer and the replies collide. */
    addressConflicts: z.array(z.number().int().min(0).max(255)),
  })
  .strict();

export type BusFaults = z.infer<typeof busFaultsSchema>;

export const noBusFaults: Readonly<BusFaults> = {
  silentBoards: [],
  corruptRate: 0,
  dropRate: 0,
  requestCorruptRate: 0,
  requestDropRate: 0,
  splitReplies: null,
  junkBeforeReply: 0,
  addressConflicts: [],
};

export interface DamagedBytes {
  bytes: number[];
  dropped: number;
  corrupted: number;
}

/** Each byte lost with `dropRate`, else flipped to another value with `corruptRate`. */
function damageBytes(
  input: Uint8Array,
  rates: { dropRate: number; corruptRate: number },
  random: () => number,
): DamagedBytes {
  const damaged: DamagedBytes = { bytes: [], dropped: 0, corrupted: 0 };
  for (const byte of input) {
    if (random() < rates.dropRate) {
      damaged.dropped++;
      continue;
    }
    if (random() < rates.corruptRate) {
      damaged.corrupted++;
      damaged.bytes.push((byte ^ (1 + Math.floor(random() * 255))) & 0xff);
    } else damaged.bytes.push(byte);
  }
  return damaged;
}

/** Applies corruption and loss to request bytes on their way to the boards. */
export function damageRequest(chunk: Buffer, faults: BusFaults, random: () => number): DamagedBytes {
  // no draw from the seeded source when off: replies damaged in a run stay the same as before
  if (faults.requestDropRate === 0 && faults.requestCorruptRate === 0)
    return { bytes: [...chunk], dropped: 0, corrupted: 0 };
  return damageBytes(
    chunk,
    { dropRate: faults.requestDropRate, corruptRate: faults.requestCorruptRate },
    random,
  );
}

/** Applies corruption, loss and junk to one reply; returns the bursts to send in order. */
export function damageReply(reply: Buffer, faults: BusFaults, random: () => number): Buffer[] {
  const bytes: number[] = [];
  for (let i = 0; i < faults.junkBeforeReply; i++) bytes.push(Math.floor(random() * 256));
  bytes.push(...damageBytes(reply, faults, random).bytes);
  const damaged = Buffer.from(bytes);
  if (!faults.splitReplies || damaged.length < 2) return [damaged];
  const parts = Math.min(faults.splitReplies.parts, damaged.length);
  const size = Math.ceil(damaged.length / parts);
  const bursts: Buffer[] = [];
  for (let offset = 0; offset < damaged.length; offset += size)
    bursts.push(damaged.subarray(offset, offset + size));
  return bursts;
}

/** Two boards driving the bus at once: the receiver sees neither reply intact. */
export function collide(a: Buffer, b: Buffer): Buffer {
  const length = Math.max(a.length, b.length);
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) out[i] = (a[i] ?? 0xff) & (b[i] ?? 0xff);
  return out;
}
