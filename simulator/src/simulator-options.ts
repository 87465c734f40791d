import { kerongDefaultDialects, xor8aDefaultDialect } from '@locker/protocol';
import { z } from 'zod';
import { simBoardProtocols } from './boards/index.ts';
import { simModbusDefaults } from './boards/modbus-settings.ts';
import { busFaultsSchema } from './bus-faults.ts';
import { defaultDoorPhysics } from './sim-door.ts';

const port = z.number().int().min(0).max(65535);

export const simulatorOptionsSchema = z
  .object({
    protocol: z.enum(['cu48', 'cu16', 'xor8a', 'modbus-rtu']),
    boards: z.number().int().min(1),
    /** Locks per board; default: the board's full count (48, 16, 24; 16 relays for Modbus). */
    locks: z.number().int().min(1).optional(),
    /** First board address; default 0 for the Kerong family, 1 for the 8A/80 and Modbus boards. */
    firstAddress: z.number().int().min(0).optional(),
    pty: z.boolean().default(true),
    /** A keypad and a QR scanner, each on its own pty pair, sending lines. */
    inputs: z.boolean().default(false),
    /** Listen as a TCP-to-RS-485 bridge on this port (0: any free port); null: no TCP. */
    tcpPort: port.nullable().default(null),
    /** HTTP control API on loopback (0: any free port); null: none. */
    controlPort: port.nullable().default(0),
    /** Pace the wire at this speed; default the protocol's line speed; null: as fast as possible. */
    paceBaudRate: z.number().int().positive().nullable().optional(),
    turnaroundMs: z.number().min(0).max(1000).default(2),
    physics: z
      .object({
        pulseMs: z.number().min(0).max(10_000),
        springMs: z.number().min(0).max(10_000),
        bounceMs: z.number().min(0).max(10_000),
      })
      .partial()
      .default({}),
    seed: z.number().int().default(1),
    /** Bus faults switched on from the start (the control API changes them later). */
    faults: busFaultsSchema.partial().default({}),
    kerongDialect: z
      .object({
        closedBitValue: z.union([z.literal(0), z.literal(1)]),
        itemPresentBitValue: z.union([z.literal(0), z.literal(1)]),
        /** CU48 command set the simulated boards answer (the other set is ignored, counted as a bad frame). */
        cu48Commands: z.enum(['v2.1', '0x60']),
      })
      .partial()
      .default({}),
    xor8aDialect: z
      .object({
        closedStatusByte: z.number().int().min(0).max(255),
        openStatusByte: z.number().int().min(0).max(255),
        closedBitValue: z.union([z.literal(0), z.literal(1)]),
        statusByteOrder: z.enum(['high-first', 'low-first']),
        queryAllStatusBytes: z.number().int().min(1).max(32),
      })
      .partial()
      .default({}),
    /** Modbus RTU boards: the input value of a closed door. */
    modbus: z
      .object({ closedInputValue: z.union([z.literal(0), z.literal(1)]) })
      .partial()
      .default({}),
  })
  .strict()
  .superRefine((options, ctx) => {
    const protocol = simBoardProtocols[options.protocol];
    const first = options.firstAddress ?? protocol.firstAddress;
    if (
      first < protocol.firstAddress ||
      first + options.boards > protocol.firstAddress + protocol.maxBoards
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['boards'],
        message: `${options.protocol} addresses run ${protocol.firstAddress}–${protocol.firstAddress + protocol.maxBoards - 1}; ${options.boards} boards from ${first} do not fit`,
      });
    }
    if ((options.locks ?? 0) > protocol.maxLocks) {
      ctx.addIssue({
        code: 'custom',
        path: ['locks'],
        message: `${options.protocol} boards have at most ${protocol.maxLocks} locks`,
      });
    }
  });

export type SimulatorOptionsInput = z.input<typeof simulatorOptionsSchema>;
export type SimulatorOptions = z.output<typeof simulatorOptionsSchema>;

export function resolveDefaults(options: SimulatorOptions) {
  const protocol = simBoardProtocols[options.protocol];
  return {
    protocol,
    locks: options.locks ?? protocol.defaultLocks,
    firstAddress: options.firstAddress ?? protocol.firstAddress,
    paceBaudRate: options.paceBaudRate === undefined ? protocol.baudRate : options.paceBaudRate,
    physics: { ...defaultDoorPhysics, ...options.physics },
    kerongDialect: {
      ...kerongDefaultDialects[options.protocol === 'cu16' ? 'cu16' : 'cu48'],
      ...options.kerongDialect,
    },
    xor8aDialect: { ...xor8aDefaultDialect, ...options.xor8aDialect },
    modbus: { ...simModbusDefaults, ...options.modbus },
  };
}
