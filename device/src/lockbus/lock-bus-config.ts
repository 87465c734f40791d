import { kerongDefaultDialects, xor8aDefaultDialect } from '@locker/protocol';
import { z } from 'zod';
import { boardDrivers } from './boards/index.ts';
import { defaultModbusBoardSettings } from './boards/modbus-board-settings.ts';

/** Every timing of the bus, in one place. */
export const lockBusDefaults = {
  pollIntervalMs: 500,
  /** Poll period of a board while one of its doors is expected to open. */
  fastPollIntervalMs: 20,
  offlineRetryMs: 2000,
  interFrameGapMs: 5,
  silenceMs: 30,
  statusReplyTimeoutMs: 200,
  unlockReplyTimeoutMs: 600,
  unlockConfirmMs: 10_000,
  debounceReads: 2,
  /** Consecutive failed reads before a board goes offline… */
  failedReadsBeforeUnknown: 3,
  /** …spanning at least this long (once a board has answered). */
  offlineAfterMs: 1500,
  /** Consecutive good reads before an offline board is back. */
  onlineAfterReads: 2,
  /** A board offline again within this time is counted (offlineTransitions), not raised again. */
  flapQuietMs: 60_000,
  /** A reply with a bad checksum is read again at once, this many times per poll. */
  statusReadRetries: 1,
  unlockGapMs: 150,
  coilPulseMs: 500,
  maxCoilsEnergised: 1,
  reconnectMinMs: 200,
  reconnectMaxMs: 5000,
  /** Every port operation is bounded: open… */
  portOpenTimeoutMs: 5000,
  /** …write plus drain (a 48-byte burst at 9600 Bd takes 50 ms)… */
  portWriteTimeoutMs: 2000,
  /** The bus reports itself unhealthy after this many status polls in a row without a good reply. */
  unhealthyAfterFailedPolls: 10,
} as const;

const ms = (max: number) => z.number().min(0).max(max);

const timingSchema = z
  .object({
    pollIntervalMs: ms(60_000),
    fastPollIntervalMs: ms(10_000),
    offlineRetryMs: ms(600_000),
    interFrameGapMs: ms(1000),
    silenceMs: z.number().min(1).max(1000),
    statusReplyTimeoutMs: z.number().min(1).max(10_000),
    unlockReplyTimeoutMs: z.number().min(1).max(10_000),
    unlockConfirmMs: z.number().min(1).max(120_000),
    debounceReads: z.number().int().min(1).max(10),
    failedReadsBeforeUnknown: z.number().int().min(1).max(100),
    offlineAfterMs: ms(600_000),
    onlineAfterReads: z.number().int().min(1).max(100),
    flapQuietMs: ms(86_400_000),
    statusReadRetries: z.number().int().min(0).max(5),
    unlockGapMs: ms(10_000),
    coilPulseMs: ms(10_000),
    maxCoilsEnergised: z.number().int().min(1).max(48),
    reconnectMinMs: z.number().min(1).max(60_000),
    reconnectMaxMs: z.number().min(1).max(600_000),
    portOpenTimeoutMs: z.number().min(1).max(60_000),
    portWriteTimeoutMs: z.number().min(1).max(60_000),
    unhealthyAfterFailedPolls: z.number().int().min(1).max(10_000),
  })
  .strict()
  .partial();

const bit = z.union([z.literal(0), z.literal(1)]);

const boardSchema = z
  .object({
    address: z.number().int().min(0).max(255),
    locks: z.number().int().min(1),
    /**
     * Written by commissioning once an installer has seen a door open and close: the polarity
     * is right. Until then a board whose doors all read open at start refuses unlocks.
     */
    polarityConfirmed: z.boolean().default(false),
    kerongDialect: z
      .object({
        closedBitValue: bit,
        itemPresentBitValue: bit,
        cu48StatusLockByte: z.union([z.literal(0x00), z.literal(0x30)]),
        /** CU48 command set: `v2.1` (0x50/0x51 → 0x65, the document's) or `0x60` (0x60/0x61 → 0x75). */
        cu48Commands: z.enum(['v2.1', '0x60']),
      })
      .strict()
      .partial()
      .optional(),
    xor8aDialect: z
      .object({
        closedStatusByte: z.number().int().min(0).max(255),
        openStatusByte: z.number().int().min(0).max(255),
        closedBitValue: bit,
        statusByteOrder: z.enum(['high-first', 'low-first']),
        queryAllStatusBytes: z.number().int().min(1).max(32),
      })
      .strict()
      .partial()
      .optional(),
    /** Modbus RTU boards: relay and input per lock (index = lock − 1), input polarity, pulse length. */
    modbus: z
      .object({
        coils: z.array(z.number().int().min(0).max(255)),
        /** 0–1999: one read of up to 2000 inputs (Application Protocol §6.2) covers them all. */
        inputs: z.array(z.number().int().min(0).max(1999)),
        closedInputValue: bit,
        pulseMs: z.number().min(100).max(60_000),
      })
      .strict()
      .partial()
      .optional(),
  })
  .strict();

export const lockBusConfigSchema = z
  .object({
    protocol: z.enum(['cu48', 'cu16', 'xor8a', 'modbus-rtu']),
    /** A tty path (use /dev/serial/by-id/… so it survives re-plugging) or tcp://host:port. */
    transport: z.string().min(1),
    baudRate: z.number().int().positive().optional(),
    boards: z.array(boardSchema).min(1),
    timing: timingSchema.default({}),
  })
  .strict()
  .superRefine((config, ctx) => {
    const driver = boardDrivers[config.protocol];
    const seen = new Set<number>();
    config.boards.forEach((board, i) => {
      if (seen.has(board.address)) {
        ctx.addIssue({
          code: 'custom',
          path: ['boards', i, 'address'],
          message: `address ${board.address} is used twice; every board needs its own`,
        });
      }
      seen.add(board.address);
      if (board.locks > driver.maxLocks) {
        ctx.addIssue({
          code: 'custom',
          path: ['boards', i, 'locks'],
          message: `${config.protocol} boards have at most ${driver.maxLocks} locks`,
        });
      }
      if (config.protocol === 'xor8a' && (board.address < 1 || board.address > 31)) {
        ctx.addIssue({
          code: 'custom',
          path: ['boards', i, 'address'],
          message: '8A/80 DIP addresses are 1–31',
        });
      }
      if (config.protocol === 'cu48' && board.address > 9) {
        ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: 'CU48 addresses are 0–9' });
      }
      if (config.protocol === 'cu16' && board.address > 15) {
        ctx.addIssue({ code: 'custom', path: ['boards', i, 'address'], message: 'CU16 boards are 0–15' });
      }
      if (config.protocol === 'modbus-rtu') checkModbusBoard(board, i, ctx);
    });
  });

function checkModbusBoard(board: z.infer<typeof boardSchema>, i: number, ctx: z.RefinementCtx): void {
  if (board.address < 1 || board.address > 247) {
    ctx.addIssue({
      code: 'custom',
      path: ['boards', i, 'address'],
      message: 'Modbus slave addresses are 1–247',
    });
  }
  for (const field of ['coils', 'inputs'] as const) {
    const list = board.modbus?.[field];
    if (list && list.length !== board.locks) {
      ctx.addIssue({
        code: 'custom',
        path: ['boards', i, 'modbus', field],
        message: `needs one entry per lock (${board.locks}), got ${list.length}`,
      });
    }
  }
}

export type LockBusConfigInput = z.input<typeof lockBusConfigSchema>;
export type LockBusConfig = z.output<typeof lockBusConfigSchema>;
export type LockBusTiming = { -readonly [K in keyof typeof lockBusDefaults]: number };

export function resolveTiming(config: LockBusConfig): LockBusTiming {
  return { ...lockBusDefaults, ...config.timing };
}

export function resolveBoards(config: LockBusConfig) {
  return config.boards.map((board) => ({
    address: board.address,
    locks: board.locks,
    polarityConfirmed: board.polarityConfirmed,
    kerongDialect: {
      ...kerongDefaultDialects[config.protocol === 'cu16' ? 'cu16' : 'cu48'],
      ...board.kerongDialect,
    },
    xor8aDialect: { ...xor8aDefaultDialect, ...board.xor8aDialect },
    modbus: { ...defaultModbusBoardSettings(board.locks), ...board.modbus },
  }));
}
