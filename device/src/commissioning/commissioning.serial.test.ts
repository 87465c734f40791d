import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Simulator, type SimulatorOptionsInput } from '@locker/simulator';
import { type HandOpening, ScriptedInstaller } from '@locker/test-kit/commissioning';
import { testTiming } from '@locker/test-kit/lockbus';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseDeviceConfig } from '../config/load-device-config.ts';
import { BoardLockBus } from '../lockbus/board-lock-bus.ts';
import { type CommissioningOptions, commission } from './commissioning.ts';
import type { CompartmentAnswer } from './installer-prompt.ts';

const locks = 4;

/** The cabinet's labels: numbered right to left per board so a number is never the lock index. */
function label(board: number, lock: number): CompartmentAnswer {
  const bottom = 20 + (lock - 1) * 40;
  return {
    number: board * 10 + (locks + 1 - lock),
    size: lock === 1 ? 'XL' : lock === 2 ? 'L' : 'M',
    position: { column: board + 1, row: (['bottom', 'lower', 'middle', 'upper'] as const)[lock - 1]! },
    heightCm: { bottom, top: bottom + 35 },
  };
}

let dir: string;
let simulator: Simulator | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'commission-'));
});

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function cabinet(options: Partial<SimulatorOptionsInput> & Pick<SimulatorOptionsInput, 'protocol'>) {
  simulator = new Simulator({
    boards: 3,
    locks,
    pty: true,
    controlPort: null,
    physics: { springMs: 10, pulseMs: 100, bounceMs: 120 },
    ...options,
  });
  const { tty } = await simulator.start();
  return { simulator, tty: tty! };
}

async function run(
  sim: { simulator: Simulator; tty: string },
  extra: Partial<CommissioningOptions> & { handOpening?: HandOpening } = {},
) {
  const installer = new ScriptedInstaller({
    simulator: sim.simulator,
    label,
    handOpening: extra.handOpening,
  });
  const configPath = join(dir, 'locker.yaml');
  const outcome = await commission({
    transport: sim.tty,
    protocols: [sim.simulator.options.protocol],
    configPath,
    reportDir: join(dir, 'report'),
    prompt: installer,
    logger: pino({ level: process.env.LOCKER_TEST_LOG ?? 'silent' }),
    newLocker: { lockerId: 'ieper-stadhuis-9', municipality: 'Ieper' },
    busTiming: testTiming,
    // a loaded CI machine answers a probe late: a reply past its wait would land in the next address's probe
    settings: { probeReads: 2, probeReplyTimeoutMs: 500, closeConfirmMs: 3000, closePollMs: 10 },
    ...extra,
  });
  return { ...outcome, configPath, installer };
}

async function writtenConfig(path: string) {
  return parseDeviceConfig(await readFile(path, 'utf8'), path);
}

/** A scan probes every address of each protocol tried, twice, and silent ones cost their reply timeout. */
const scanAndWalkTimeoutMs = 90_000;

describe('commissioning over a real pty against the simulator', { timeout: scanAndWalkTimeoutMs }, () => {
  it('writes a valid config for a 3-board cabinet in one run: every compartment mapped with size and height', async () => {
    const sim = await cabinet({ protocol: 'cu16' });
    const { report, configPath, reportPaths } = await run(sim, {
      protocols: ['cu48', 'cu16'],
      expectedBoards: [0, 1, 2],
    });

    expect(report.refused).toBeNull();
    expect(report.protocol).toBe('cu16');
    expect(report.boardsFound).toEqual([0, 1, 2]);
    expect(report.boardsMissing).toEqual([]);
    const config = await writtenConfig(configPath);
    expect(config.bus.protocol).toBe('cu16');
    expect(config.bus.transport).toBe(sim.tty);
    expect(
      config.bus.boards.map((b) => [
        b.address,
        b.locks,
        b.polarityConfirmed,
        b.kerongDialect?.closedBitValue,
      ]),
    ).toEqual([
      [0, 4, true, 1],
      [1, 4, true, 1],
      [2, 4, true, 1],
    ]);
    expect(config.compartments).toHaveLength(12);
    for (const compartment of config.compartments) {
      const expected = label(compartment.board, compartment.lock);
      expect(compartment).toMatchObject({
        number: expected.number,
        size: expected.size,
        heightCm: expected.heightCm,
      });
    }
    // every lock was unlocked exactly once, by the walk (the scan and the polarity step only read)
    for (const board of sim.simulator.snapshot().boards)
      expect(board.doors.map((door) => door.unlockCount)).toEqual([1, 1, 1, 1]);
    expect(Object.keys(report.counters?.boards ?? {})).toEqual(['0', '1', '2']);
    // 60–95 cm (lock 2) is the only row inside the 38–122 cm reach range
    const withinReach = report.compartments.filter((c) => c.mapped && c.withinReach);
    expect(withinReach.map((c) => [c.board, c.lock])).toEqual([
      [0, 2],
      [1, 2],
      [2, 2],
    ]);
    const text = await readFile(reportPaths.text, 'utf8');
    expect(text).toContain('config written to');
    expect(text).toContain('board 2: online true');
    expect(JSON.parse(await readFile(reportPaths.json, 'utf8')).compartments).toHaveLength(12);
  });

  it.each([
    ['cu48', { kerongDialect: { closedBitValue: 0 } }, 'kerongDialect'],
    ['xor8a', { xor8aDialect: { closedBitValue: 0 } }, 'xor8aDialect'],
    ['modbus-rtu', { modbus: { closedInputValue: 0 } }, 'modbus'],
  ] as const)(
    'detects a %s board with the inverted polarity by the open-by-hand step and writes the corrected closedBitValue',
    async (protocol, dialect, field) => {
      const sim = await cabinet({ protocol, boards: 1, ...dialect });
      const { report, configPath } = await run(sim);

      const address = protocol === 'cu48' ? 0 : 1;
      expect(report.polarity).toEqual([{ board: address, confirmed: true, closedBitValue: 0, lock: 1 }]);
      const config = await writtenConfig(configPath);
      const bit = field === 'modbus' ? 'closedInputValue' : 'closedBitValue';
      expect(config.bus.boards[0]).toMatchObject({ polarityConfirmed: true, [field]: { [bit]: 0 } });
      expect(config.compartments.map((c) => c.lock).sort()).toEqual([1, 2, 3, 4]);
      // the device's bus on the written config reads the closed doors as closed
      const bus = BoardLockBus.fromConfig(
        { ...config.bus, timing: testTiming },
        { logger: pino({ level: 'silent' }) },
      );
      await bus.start();
      try {
        expect((await bus.readAll()).map((state) => state.door)).toEqual([
          'closed',
          'closed',
          'closed',
          'closed',
        ]);
        expect(bus.counters().boards[address]?.polaritySuspect).toBe(false);
      } finally {
        await bus.stop();
      }
    },
  );

  it.each([
    ['opens no door', 'none', []],
    ['opens two doors', 'two', [1, 2]],
  ] as const)(
    'refuses to write a config when the installer %s while the polarity is checked',
    async (_, handOpening, changed) => {
      const sim = await cabinet({ protocol: 'cu48', boards: 1 });
      const { report, configPath } = await run(sim, { handOpening });

      expect(report.refused?.code).toBe('POLARITY_UNCONFIRMED');
      expect(report.polarity).toMatchObject([{ board: 0, confirmed: false, changedLocks: changed }]);
      expect(existsSync(configPath)).toBe(false);
      expect(sim.simulator.snapshot().boards[0]!.doors.every((door) => door.unlockCount === 0)).toBe(true);
    },
  );

  it('finds CU48 boards that answer only the 0x60/0x61 command set and writes that set into the config', async () => {
    const sim = await cabinet({ protocol: 'cu48', kerongDialect: { cu48Commands: '0x60' } });
    const { report, configPath } = await run(sim, { expectedBoards: [0, 1, 2] });

    expect(report.refused).toBeNull();
    expect(report.boardsFound).toEqual([0, 1, 2]);
    const config = await writtenConfig(configPath);
    expect(config.bus.boards.map((b) => [b.address, b.kerongDialect?.cu48Commands])).toEqual([
      [0, '0x60'],
      [1, '0x60'],
      [2, '0x60'],
    ]);
    expect(config.compartments).toHaveLength(12);
    // the walk opened every lock once; the scan's 0x50 reads went unanswered and unlocked nothing
    for (const board of sim.simulator.snapshot().boards)
      expect(board.doors.map((door) => door.unlockCount)).toEqual([1, 1, 1, 1]);
  });

  it('reports a silent board as missing and maps the boards that answer', async () => {
    const sim = await cabinet({ protocol: 'cu16', faults: { silentBoards: [1] } });
    const { report, configPath } = await run(sim, { expectedBoards: [0, 1, 2] });

    expect(report.boardsFound).toEqual([0, 2]);
    expect(report.boardsMissing).toEqual([1]);
    expect(report.noReply).toContain(1);
    const config = await writtenConfig(configPath);
    expect(config.bus.boards.map((b) => b.address)).toEqual([0, 2]);
    expect(await readFile(join(dir, 'report', 'commissioning-report.txt'), 'utf8')).toContain(
      'missing (expected, silent): 1',
    );
  });

  it('reports a duplicate address (colliding replies) and writes no config', async () => {
    const sim = await cabinet({ protocol: 'cu16', faults: { addressConflicts: [1] } });
    const { report, configPath } = await run(sim);

    expect(report.duplicateAddresses).toEqual([1]);
    expect(report.boardsFound).toEqual([0, 2]);
    expect(report.refused?.code).toBe('DUPLICATE_ADDRESS');
    expect(existsSync(configPath)).toBe(false);
  });

  it('reports a dead door sensor (stuck closed), a jammed lock and a sensor stuck open, and leaves those compartments out', async () => {
    const sim = await cabinet({ protocol: 'cu16', boards: 1 });
    sim.simulator.act(0, 2, 'jam');
    sim.simulator.act(0, 3, 'stick-closed');
    sim.simulator.act(0, 4, 'stick-open');
    const { report, configPath } = await run(sim);

    expect(report.deadSensors).toMatchObject([{ board: 0, lock: 3, number: label(0, 3).number }]);
    expect(report.compartments.map((c) => (c.mapped ? 'mapped' : c.problem))).toEqual([
      'mapped',
      'lock_jammed',
      'dead_sensor',
      'reads_open_before_unlock',
    ]);
    const config = await writtenConfig(configPath);
    expect(config.compartments.map((c) => c.lock)).toEqual([1]);
    expect(sim.simulator.snapshot().boards[0]!.doors.map((door) => door.unlockCount)).toEqual([1, 1, 1, 0]);
    expect(sim.simulator.snapshot().boards[0]!.doors.every((door) => !door.open)).toBe(true);
    expect(await readFile(join(dir, 'report', 'commissioning-report.txt'), 'utf8')).toContain(
      `Dead sensors: 0/3 (compartment ${label(0, 3).number})`,
    );
  });
});
