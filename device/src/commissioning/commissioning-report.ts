import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LockBusCounters } from '../lockbus/lock-bus.ts';
import type { ScanAttempt } from './bus-scan.ts';
import type { CommissioningErrorCode } from './commissioning-error.ts';
import type { WalkFinding } from './compartment-walk.ts';
import type { PolarityFinding } from './polarity-check.ts';

export interface CommissioningReport {
  startedAt: string;
  finishedAt: string;
  transport: string;
  protocol: string | null;
  baudRate: number | null;
  scan: ScanAttempt[];
  boardsFound: number[];
  /** Addresses the installer expected (`--expect-boards`) that did not answer. */
  boardsMissing: number[];
  noReply: number[];
  duplicateAddresses: number[];
  polarity: PolarityFinding[];
  compartments: WalkFinding[];
  deadSensors: { board: number; lock: number; number?: number; detail: string }[];
  /** `bus.counters()` after the walk: every board's error counters. */
  counters: LockBusCounters | null;
  configWritten: string | null;
  refused: { code: CommissioningErrorCode; message: string } | null;
}

export const reportFileNames = {
  json: 'commissioning-report.json',
  text: 'commissioning-report.txt',
} as const;

/** Writes the report as JSON and as text for the service log; returns both paths. */
export async function writeReport(
  dir: string,
  report: CommissioningReport,
): Promise<{ json: string; text: string }> {
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, reportFileNames.json), text: join(dir, reportFileNames.text) };
  await writeFile(paths.json, `${JSON.stringify(report, null, 2)}\n`);
  await writeFile(paths.text, renderReport(report));
  return paths;
}

export function renderReport(report: CommissioningReport): string {
  const lines: string[] = [
    'COMMISSIONING REPORT',
    `started ${report.startedAt}, finished ${report.finishedAt}`,
    `port ${report.transport}; protocol ${report.protocol ?? 'none found'}${report.baudRate ? ` at ${report.baudRate} Bd` : ''}`,
    report.refused
      ? `RESULT: NO CONFIG WRITTEN — ${report.refused.message}`
      : `RESULT: config written to ${report.configWritten}`,
    '',
    'Bus scan (status reads only):',
    ...report.scan.map(
      (a) =>
        `  ${a.protocol}${a.cu48Commands ? ` (commands ${a.cu48Commands})` : ''} ${a.baudRate} Bd: found [${a.found.join(', ')}], duplicate [${a.duplicates.join(', ')}], no reply [${a.noReply.join(', ')}]`,
    ),
    `Boards found: ${list(report.boardsFound)}; missing (expected, silent): ${list(report.boardsMissing)}; duplicate addresses: ${list(report.duplicateAddresses)}`,
    '',
    'Polarity (one door opened and closed by hand per board):',
    ...report.polarity.map((p) =>
      p.confirmed
        ? `  board ${p.board}: confirmed on lock ${p.lock}, closed door reads bit ${p.closedBitValue}`
        : `  board ${p.board}: NOT CONFIRMED — ${p.reason}${p.changedLocks.length ? ` (locks ${p.changedLocks.join(', ')})` : ''}`,
    ),
    '',
    'Compartments:',
    ...report.compartments.map((c) =>
      c.mapped
        ? `  board ${c.board} lock ${c.lock} → compartment ${c.compartment.number}, ${c.compartment.size}, ${c.compartment.position.row} row column ${c.compartment.position.column}, ${c.compartment.heightCm?.bottom}–${c.compartment.heightCm?.top} cm${c.withinReach ? ' (within reach 38–122 cm)' : ''}`
        : `  board ${c.board} lock ${c.lock} → LEFT OUT: ${c.problem}: ${c.detail}`,
    ),
    `Dead sensors: ${report.deadSensors.length === 0 ? 'none' : report.deadSensors.map((d) => `${d.board}/${d.lock}${d.number ? ` (compartment ${d.number})` : ''}`).join(', ')}`,
    '',
    'Bus error counters:',
  ];
  const counters = report.counters;
  if (!counters) lines.push('  (the walk did not run)');
  else {
    const { boards, ...bus } = counters;
    lines.push(
      `  ${Object.entries(bus)
        .map(([name, value]) => `${name} ${value}`)
        .join(', ')}`,
    );
    for (const [address, board] of Object.entries(boards)) {
      lines.push(
        `  board ${address}: online ${board.online}, failedReads ${board.failedReads}, offlineTransitions ${board.offlineTransitions}, polaritySuspect ${board.polaritySuspect}`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

function list(values: number[]): string {
  return values.length === 0 ? 'none' : values.join(', ');
}
