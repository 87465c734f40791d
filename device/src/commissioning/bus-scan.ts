import type { Cu48CommandSetName } from '@locker/protocol';
import type { Logger } from 'pino';
import type { LockBoardProtocol } from '../lockbus/boards/index.ts';
import { RawStatusReader } from './raw-status.ts';

/** Addresses and line speeds each protocol's boards can have (DIP switches, vendor documents). */
export const scanPlan: Record<LockBoardProtocol, { addresses: number[]; baudRates: number[] }> = {
  cu48: { addresses: range(0, 9), baudRates: [19200, 9600] },
  cu16: { addresses: range(0, 15), baudRates: [19200, 9600] },
  xor8a: { addresses: range(1, 31), baudRates: [9600, 19200] },
  // Modbus slaves may be 1–247; relay boards ship as 1 and cabinets use a few: scan the first 16 (name others with --protocol)
  'modbus-rtu': { addresses: range(1, 16), baudRates: [9600, 19200] },
};

export interface ScanOptions {
  transport: string;
  /** Protocols to try, in order; default all. */
  protocols: LockBoardProtocol[];
  /** Status reads per address. */
  probeReads: number;
  probeReplyTimeoutMs: number;
  logger: Logger;
}

/** What one protocol at one line speed found on the bus. */
export interface ScanAttempt {
  protocol: LockBoardProtocol;
  baudRate: number;
  /** CU48 only: the command set the boards answered (v2.1 first, then 0x60). */
  cu48Commands?: Cu48CommandSetName;
  found: number[];
  noReply: number[];
  /** Replies that never decoded, or decoded only now and then: two boards answering at once. */
  duplicates: number[];
}

export interface ScanResult {
  attempts: ScanAttempt[];
  /** The first attempt that heard any board; `undefined` when none did. */
  chosen: ScanAttempt | undefined;
  /** Whether any port opened at all. */
  portOpened: boolean;
}

/** CU48 boards answer one command set only: each is tried, the document's first. */
const cu48CommandSets: readonly Cu48CommandSetName[] = ['v2.1', '0x60'];

/**
 * Probes every address of each protocol with status reads only (never an unlock), at each of the
 * protocol's line speeds (one for a TCP bridge, which has none) and, for CU48, with each command set;
 * stops at the first that hears a board.
 */
export async function scanBus(options: ScanOptions): Promise<ScanResult> {
  const attempts: ScanAttempt[] = [];
  let portOpened = false;
  const tcp = options.transport.startsWith('tcp://');
  for (const protocol of options.protocols) {
    const plan = scanPlan[protocol];
    const variants = (tcp ? plan.baudRates.slice(0, 1) : plan.baudRates).flatMap((baudRate) =>
      (protocol === 'cu48' ? cu48CommandSets : [undefined]).map((cu48Commands) => ({
        baudRate,
        cu48Commands,
      })),
    );
    for (const { baudRate, cu48Commands } of variants) {
      const reader = new RawStatusReader(
        protocol,
        options.transport,
        baudRate,
        options.probeReplyTimeoutMs,
        options.logger,
        cu48Commands,
      );
      try {
        if (!(await reader.start())) continue;
        portOpened = true;
        const attempt = await probeAll(reader, plan.addresses, options.probeReads);
        attempts.push(attempt);
        options.logger.info(attempt, 'bus scan');
        if (attempt.found.length > 0 || attempt.duplicates.length > 0) {
          return { attempts, chosen: attempt, portOpened };
        }
      } finally {
        await reader.stop();
      }
    }
  }
  return { attempts, chosen: undefined, portOpened };
}

async function probeAll(reader: RawStatusReader, addresses: number[], reads: number): Promise<ScanAttempt> {
  const attempt: ScanAttempt = {
    protocol: reader.protocol,
    baudRate: reader.baudRate,
    ...(reader.protocol === 'cu48' ? { cu48Commands: reader.cu48Commands } : {}),
    found: [],
    noReply: [],
    duplicates: [],
  };
  for (const address of addresses) {
    const outcomes = [];
    for (let i = 0; i < reads; i++) outcomes.push((await reader.read(address)).kind);
    const good = outcomes.filter((kind) => kind === 'bits').length;
    const garbled = outcomes.filter((kind) => kind === 'garbled').length;
    if (garbled > 0 && garbled >= good) attempt.duplicates.push(address);
    else if (good > 0) attempt.found.push(address);
    else attempt.noReply.push(address);
  }
  return attempt;
}

function range(first: number, last: number): number[] {
  return Array.from({ length: last - first + 1 }, (_, i) => first + i);
}
