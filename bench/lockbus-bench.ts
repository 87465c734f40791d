import type { LockBoardProtocol } from '@locker/device';
import type { Logger } from 'pino';
import { type BusTimingMode, type RoundTripFigures, round, unlockRoundTrip } from './unlock-roundtrip.ts';

export interface LockBusSamples {
  /** Per tuned run (each costs one wire round trip). */
  tuned: number;
  /** Per shipped-defaults run (each waits for polls and debounce: keep modest). */
  shipped: number;
}

export interface ShippedVsTuned {
  protocol: LockBoardProtocol;
  baudRate: number;
  wireTimeMs: { tuned: number; shipped: number };
  roundTripP50Ms: { tuned: number; shipped: number };
  roundTripP99Ms: { tuned: number; shipped: number };
  /** shipped ÷ tuned, same run. */
  ratioP50: number;
  ratioP99: number;
}

export interface LockBusReport {
  unlockRoundTrip: RoundTripFigures[];
  shippedVsTuned: ShippedVsTuned[];
  ratios: { cu48RoundTrip9600vs19200: number; xor8aRoundTrip9600vs19200: number };
}

const everyProtocol: LockBoardProtocol[] = ['cu48', 'cu16', 'xor8a', 'modbus-rtu'];

/**
 * Tuned runs at each protocol's default line speed (plus CU48 and 8A/80 at the other speed, for
 * the baud ratios), then the same protocols with the shipped bus defaults.
 */
export async function lockBusBench(samples: LockBusSamples, logger: Logger): Promise<LockBusReport> {
  const plan: (readonly [LockBoardProtocol, BusTimingMode, number | undefined])[] = [
    ...everyProtocol.map((protocol) => [protocol, 'tuned', undefined] as const),
    ['cu48', 'tuned', 9600],
    ['xor8a', 'tuned', 19200],
    ...everyProtocol.map((protocol) => [protocol, 'shipped', undefined] as const),
  ];
  const runs: RoundTripFigures[] = [];
  for (const [index, [protocol, timing, baudRate]] of plan.entries()) {
    const count = samples[timing];
    logger.info(
      { step: `${index + 1}/${plan.length}`, protocol, timing, baudRate, samples: count },
      'measuring unlock round trip',
    );
    const figures = await unlockRoundTrip(protocol, count, timing, baudRate);
    logger.info(figures, 'unlock round trip measured');
    runs.push(figures);
  }
  const find = (protocol: LockBoardProtocol, timing: BusTimingMode, baudRate?: number) =>
    runs.find(
      (run) =>
        run.protocol === protocol &&
        run.timing === timing &&
        (baudRate === undefined || run.baudRate === baudRate),
    )!;
  const shippedVsTuned = everyProtocol.map((protocol): ShippedVsTuned => {
    const shipped = find(protocol, 'shipped');
    const tuned = find(protocol, 'tuned', shipped.baudRate);
    return {
      protocol,
      baudRate: shipped.baudRate,
      wireTimeMs: { tuned: tuned.wireTimeMs, shipped: shipped.wireTimeMs },
      roundTripP50Ms: { tuned: tuned.roundTripMs.p50, shipped: shipped.roundTripMs.p50 },
      roundTripP99Ms: { tuned: tuned.roundTripMs.p99, shipped: shipped.roundTripMs.p99 },
      ratioP50: round(shipped.roundTripMs.p50 / tuned.roundTripMs.p50),
      ratioP99: round(shipped.roundTripMs.p99 / tuned.roundTripMs.p99),
    };
  });
  const baudRatio = (protocol: LockBoardProtocol) =>
    round(find(protocol, 'tuned', 9600).roundTripMs.p50 / find(protocol, 'tuned', 19200).roundTripMs.p50);
  return {
    unlockRoundTrip: runs,
    shippedVsTuned,
    ratios: { cu48RoundTrip9600vs19200: baudRatio('cu48'), xor8aRoundTrip9600vs19200: baudRatio('xor8a') },
  };
}
