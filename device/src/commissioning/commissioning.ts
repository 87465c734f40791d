import type { Logger } from 'pino';
import { BoardLockBus } from '../lockbus/board-lock-bus.ts';
import type { LockBoardProtocol } from '../lockbus/boards/index.ts';
import { boardDrivers } from '../lockbus/boards/index.ts';
import type { LockBusConfigInput } from '../lockbus/lock-bus-config.ts';
import { type ScanAttempt, type ScanResult, scanBus } from './bus-scan.ts';
import { CommissioningError } from './commissioning-error.ts';
import { type CommissioningReport, writeReport } from './commissioning-report.ts';
import { type WalkFinding, walkBoard } from './compartment-walk.ts';
import type { InstallerPrompt } from './installer-prompt.ts';
import { type NewLocker, writeLockerConfig } from './locker-config-file.ts';
import { checkPolarity, type PolarityFinding } from './polarity-check.ts';
import { RawStatusReader } from './raw-status.ts';

/** Every timing and count of commissioning, in one place. */
export const commissioningDefaults = {
  /** Status reads per address during the scan. */
  probeReads: 3,
  /** A board that does not answer a probe within this is "no reply" for that read. */
  probeReplyTimeoutMs: 150,
  /** Readings in a row that must agree before a door state counts (polarity step). */
  settledReads: 2,
  maxSettleReads: 20,
  /** After the installer closes a door its sensor must read closed within this. */
  closeConfirmMs: 30_000,
  closePollMs: 100,
} as const;

export type CommissioningSettings = { -readonly [K in keyof typeof commissioningDefaults]: number };

export interface CommissioningOptions {
  /** tty path or tcp://host:port. */
  transport: string;
  /** Protocols to try; default every supported one. */
  protocols?: LockBoardProtocol[];
  configPath: string;
  reportDir: string;
  prompt: InstallerPrompt;
  logger: Logger;
  /** Board addresses the installer expects (written on the boards): silent ones are reported missing. */
  expectedBoards?: number[];
  /** Needed when `configPath` does not exist yet. */
  newLocker?: NewLocker;
  /** Bus timings for the walk (and written into a new config); default the bus defaults. */
  busTiming?: LockBusConfigInput['timing'];
  settings?: Partial<CommissioningSettings>;
}

export interface CommissioningOutcome {
  report: CommissioningReport;
  reportPaths: { json: string; text: string };
}

/**
 * Scan → polarity by hand → walk every compartment → config + report. Refuses to write a config
 * (report says why) when no board answers, an address is shared, or a board's polarity is unconfirmed.
 */
export async function commission(options: CommissioningOptions): Promise<CommissioningOutcome> {
  const settings = { ...commissioningDefaults, ...options.settings };
  const report: CommissioningReport = {
    startedAt: new Date().toISOString(),
    finishedAt: '',
    transport: options.transport,
    protocol: null,
    baudRate: null,
    scan: [],
    boardsFound: [],
    boardsMissing: [],
    noReply: [],
    duplicateAddresses: [],
    polarity: [],
    compartments: [],
    deadSensors: [],
    counters: null,
    configWritten: null,
    refused: null,
  };
  try {
    await run(options, settings, report);
  } catch (error) {
    if (!(error instanceof CommissioningError)) throw error;
    report.refused = { code: error.code, message: error.message };
    options.prompt.say(error.message);
  }
  report.finishedAt = new Date().toISOString();
  const reportPaths = await writeReport(options.reportDir, report);
  return { report, reportPaths };
}

async function run(
  options: CommissioningOptions,
  settings: CommissioningSettings,
  report: CommissioningReport,
): Promise<void> {
  const { prompt } = options;
  const scan = await scanBus({
    transport: options.transport,
    protocols: options.protocols ?? ['cu48', 'cu16', 'xor8a'],
    probeReads: settings.probeReads,
    probeReplyTimeoutMs: settings.probeReplyTimeoutMs,
    logger: options.logger,
  });
  recordScan(scan, options.expectedBoards ?? [], report);
  const chosen = scan.chosen;
  if (!scan.portOpened) throw new CommissioningError('PORT_UNAVAILABLE', `${options.transport} did not open`);
  if (!chosen) throw new CommissioningError('NO_BOARDS_FOUND', `no board answered on ${options.transport}`);
  prompt.say(
    `${chosen.protocol} at ${chosen.baudRate} Bd: boards [${chosen.found.join(', ')}], duplicate [${chosen.duplicates.join(', ')}], missing [${report.boardsMissing.join(', ')}]`,
  );
  if (chosen.duplicates.length > 0) {
    throw new CommissioningError(
      'DUPLICATE_ADDRESS',
      `address ${chosen.duplicates.join(', ')} answered with garbled (colliding) replies`,
    );
  }
  const driver = boardDrivers[chosen.protocol];
  const boards: { address: number; locks: number; closedBitValue: 0 | 1 }[] = [];
  const reader = new RawStatusReader(
    chosen.protocol,
    options.transport,
    chosen.baudRate,
    settings.probeReplyTimeoutMs,
    options.logger,
    chosen.cu48Commands,
  );
  if (!(await reader.start())) {
    await reader.stop();
    throw new CommissioningError(
      'PORT_UNAVAILABLE',
      `${options.transport} did not open again after the scan`,
    );
  }
  try {
    for (const address of chosen.found) {
      const locks = await prompt.locksOnBoard(address, driver.maxLocks);
      const finding = await checkPolarity(address, locks, {
        reader,
        prompt,
        settledReads: settings.settledReads,
        maxReads: settings.maxSettleReads,
      });
      report.polarity.push(finding);
      prompt.say(describePolarity(finding));
      if (finding.confirmed) boards.push({ address, locks, closedBitValue: finding.closedBitValue });
    }
  } finally {
    await reader.stop();
  }
  const unconfirmed = report.polarity.filter((finding) => !finding.confirmed).map((finding) => finding.board);
  if (unconfirmed.length > 0) {
    throw new CommissioningError(
      'POLARITY_UNCONFIRMED',
      `board ${unconfirmed.join(', ')}: polarity not confirmed`,
    );
  }
  const bus = busSection(options, chosen, boards);
  report.compartments = await walk(bus, boards, options, settings, report);
  const compartments = report.compartments.flatMap((finding) =>
    finding.mapped ? [finding.compartment] : [],
  );
  report.deadSensors = report.compartments.flatMap((finding) =>
    !finding.mapped && finding.problem === 'dead_sensor'
      ? [{ board: finding.board, lock: finding.lock, number: finding.number, detail: finding.detail }]
      : [],
  );
  if (compartments.length === 0) throw new CommissioningError('NOTHING_MAPPED', 'no compartment was mapped');
  const { timing: _walkTiming, ...busToWrite } = bus;
  await writeLockerConfig(options.configPath, busToWrite, compartments, options.newLocker);
  report.configWritten = options.configPath;
  prompt.say(`config written to ${options.configPath}: ${compartments.length} compartments`);
}

function recordScan(scan: ScanResult, expected: number[], report: CommissioningReport): void {
  report.scan = scan.attempts;
  const chosen = scan.chosen;
  report.protocol = chosen?.protocol ?? null;
  report.baudRate = chosen?.baudRate ?? null;
  report.boardsFound = chosen?.found ?? [];
  report.noReply = chosen?.noReply ?? [];
  report.duplicateAddresses = chosen?.duplicates ?? [];
  const heard = new Set([...report.boardsFound, ...report.duplicateAddresses]);
  report.boardsMissing = expected.filter((address) => !heard.has(address));
}

function busSection(
  options: CommissioningOptions,
  { protocol, baudRate, cu48Commands }: ScanAttempt,
  boards: { address: number; locks: number; closedBitValue: 0 | 1 }[],
): LockBusConfigInput {
  const commandSet = cu48Commands && cu48Commands !== 'v2.1' ? { cu48Commands } : {};
  const polarity = (closedBitValue: 0 | 1) =>
    protocol === 'xor8a'
      ? { xor8aDialect: { closedBitValue } }
      : protocol === 'modbus-rtu'
        ? { modbus: { closedInputValue: closedBitValue } }
        : { kerongDialect: { closedBitValue, ...commandSet } };
  return {
    protocol,
    transport: options.transport,
    ...(baudRate === boardDrivers[protocol].baudRate ? {} : { baudRate }),
    boards: boards.map(({ address, locks, closedBitValue }) => ({
      address,
      locks,
      polarityConfirmed: true,
      ...polarity(closedBitValue),
    })),
    timing: options.busTiming ?? {},
  };
}

/** Every lock of every confirmed board through the real bus, which this config drives. */
async function walk(
  bus: LockBusConfigInput,
  boards: { address: number; locks: number }[],
  options: CommissioningOptions,
  settings: CommissioningSettings,
  report: CommissioningReport,
): Promise<WalkFinding[]> {
  const lockBus = BoardLockBus.fromConfig(bus, {
    logger: options.logger.child({ module: 'commission-bus' }),
  });
  const findings: WalkFinding[] = [];
  const usedNumbers = new Set<number>();
  await lockBus.start();
  try {
    for (const board of boards) {
      findings.push(
        ...(await walkBoard(board.address, board.locks, usedNumbers, {
          bus: lockBus,
          prompt: options.prompt,
          closeConfirmMs: settings.closeConfirmMs,
          closePollMs: settings.closePollMs,
        })),
      );
    }
  } finally {
    report.counters = lockBus.counters();
    await lockBus.stop();
  }
  return findings;
}

function describePolarity(finding: PolarityFinding): string {
  return finding.confirmed
    ? `board ${finding.board}: polarity confirmed on lock ${finding.lock} (closed door reads bit ${finding.closedBitValue})`
    : `board ${finding.board}: polarity NOT confirmed: ${finding.reason}`;
}
