import {
  type Cu48CommandSetName,
  kerongDefaultDialects,
  modbusRtu,
  xor8aDefaultDialect,
} from '@locker/protocol';
import type { Logger } from 'pino';
import pino from 'pino';
import {
  type BoardDriver,
  type BoardSettings,
  boardDrivers,
  type LockBoardProtocol,
} from '../lockbus/boards/index.ts';
import { defaultModbusBoardSettings } from '../lockbus/boards/modbus-board-settings.ts';
import { BusLink } from '../lockbus/link/bus-link.ts';
import { LinkError } from '../lockbus/link/link-error.ts';
import { portOpenerFor } from '../lockbus/link/port-opener.ts';
import { lockBusDefaults } from '../lockbus/lock-bus-config.ts';

/**
 * Board settings that read every lock bit as it is on the wire: with `closedBitValue: 1` a
 * decoded `closed[i]` is simply "bit i is set", whatever the board's real polarity.
 */
export function rawBitSettings(
  protocol: LockBoardProtocol,
  address: number,
  locks: number,
  cu48Commands: Cu48CommandSetName = 'v2.1',
): BoardSettings {
  return {
    address,
    locks,
    polarityConfirmed: false,
    kerongDialect: {
      ...kerongDefaultDialects[protocol === 'cu16' ? 'cu16' : 'cu48'],
      closedBitValue: 1,
      cu48Commands,
    },
    xor8aDialect: { ...xor8aDefaultDialect, closedBitValue: 1 },
    modbus: { ...defaultModbusBoardSettings(locks), closedInputValue: 1 },
  };
}

/**
 * The replies the reader must frame: a Kerong or 8A/80 reply has one length per protocol; a Modbus
 * reply names its slave and carries as many input bytes as were asked for (1 when probing, more once
 * the installer says how many locks the board has), so every slave and every byte count is allowed.
 */
function probeSettings(
  protocol: LockBoardProtocol,
  maxLocks: number,
  cu48Commands: Cu48CommandSetName,
): BoardSettings[] {
  if (protocol !== 'modbus-rtu') return [rawBitSettings(protocol, 1, maxLocks, cu48Commands)];
  const byteCounts = Math.ceil(maxLocks / 8);
  return Array.from({ length: modbusRtu.maxAddress }, (_, i) =>
    rawBitSettings(protocol, i + 1, 8 * ((i % byteCounts) + 1)),
  );
}

export type RawRead =
  | { kind: 'bits'; bits: boolean[] }
  /** A reply arrived but did not decode (bad checksum, garbage, two boards answering at once). */
  | { kind: 'garbled' }
  | { kind: 'silent' };

/** A bus link for status reads only: the commissioning tool never sends an unlock through it. */
export class RawStatusReader {
  readonly driver: BoardDriver;
  private readonly link: BusLink;

  constructor(
    readonly protocol: LockBoardProtocol,
    readonly transport: string,
    readonly baudRate: number,
    private readonly replyTimeoutMs: number,
    logger: Logger = pino({ level: 'silent' }),
    /** CU48 only: the command set to read with (a board answers only its own). */
    readonly cu48Commands: Cu48CommandSetName = 'v2.1',
  ) {
    this.driver = boardDrivers[protocol];
    const t = lockBusDefaults;
    this.link = new BusLink({
      openPort: portOpenerFor(transport, baudRate),
      replySpec: this.driver.replySpec(probeSettings(protocol, this.driver.maxLocks, cu48Commands)),
      interFrameGapMs: t.interFrameGapMs,
      baudRate,
      silenceMs: t.silenceMs,
      reconnectMinMs: t.reconnectMinMs,
      reconnectMaxMs: t.reconnectMaxMs,
      portOpenTimeoutMs: t.portOpenTimeoutMs,
      portWriteTimeoutMs: t.portWriteTimeoutMs,
      logger: logger.child({ module: 'commission-link' }),
    });
  }

  /** Opens the port; `false` when it did not open (the link would keep retrying: stop it). */
  async start(): Promise<boolean> {
    await this.link.start();
    return this.link.state === 'open';
  }

  stop(): Promise<void> {
    return this.link.stop();
  }

  /** One status read of `address`, bits as on the wire (index 0 = lock 1). */
  /** A Modbus board refuses a read past its last input (exception 02): probe one input, the rest once its count is known. */
  async read(
    address: number,
    locks = this.protocol === 'modbus-rtu' ? 1 : this.driver.maxLocks,
  ): Promise<RawRead> {
    const settings = rawBitSettings(this.protocol, address, locks, this.cu48Commands);
    const exchange = this.driver.statusExchange(settings);
    const before = this.garbage();
    try {
      const frame = await this.link.exchange({
        name: `probe ${this.protocol} ${address}`,
        request: exchange.request,
        reply: { matches: exchange.matches, timeoutMs: this.replyTimeoutMs },
        priority: 'normal',
        kind: 'status',
      });
      const reading = exchange.decode(frame!);
      return { kind: 'bits', bits: reading.closed.map((bit) => bit === true) };
    } catch (error) {
      if (error instanceof LinkError && error.code === 'LINK_REPLY_TIMEOUT') {
        return this.garbage() > before ? { kind: 'garbled' } : { kind: 'silent' };
      }
      if (error instanceof LinkError && error.code !== 'LINK_BAD_FRAME') throw error;
      return { kind: 'garbled' };
    }
  }

  /** Bytes and frames the parser could not use: a reply arrived but was damaged. */
  private garbage(): number {
    const c = this.link.counters();
    return c.checksumErrors + c.structureErrors + c.discardedBytes + c.unexpectedFrames;
  }
}
