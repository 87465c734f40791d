import { setTimeout as sleep } from 'node:timers/promises';
import type { CompartmentConfig } from '../config/device-config.ts';
import type { LockAddress, LockBus } from '../lockbus/lock-bus.ts';
import { LockBusError } from '../lockbus/lock-bus-error.ts';
import type { InstallerPrompt } from './installer-prompt.ts';

/** EN 301 549 §8.3: operable parts within 380–1220 mm of the floor (forward and side reach). */
export const reachRangeCm = { low: 38, high: 122 } as const;

export type CompartmentProblem =
  /** The door opened (the installer saw it) but its sensor never read open. */
  | 'dead_sensor'
  /** The door was closed by the installer but its sensor kept reading open. */
  | 'sensor_stuck_open'
  /** The sensor read open before any command: nothing was sent. */
  | 'reads_open_before_unlock'
  /** The unlock was sent, no door opened and the sensor stayed closed. */
  | 'lock_jammed'
  /** The sensor read open but the installer saw no door open. */
  | 'no_door_seen'
  | 'duplicate_number'
  | 'unlock_refused';

export type WalkFinding =
  | (LockAddress & { mapped: true; compartment: CompartmentConfig; withinReach: boolean })
  | (LockAddress & { mapped: false; problem: CompartmentProblem; detail: string; number?: number });

export interface WalkOptions {
  bus: LockBus;
  prompt: InstallerPrompt;
  /** The installer closed the door: its sensor must read closed within this time. */
  closeConfirmMs: number;
  closePollMs: number;
}

/**
 * Unlocks every lock of the board, one at a time through the real bus (its sequencing and
 * confirmation rules apply); the installer says which door opened and describes it; the sensor
 * must read open after the unlock and closed after the installer closes it.
 */
export async function walkBoard(
  board: number,
  locks: number,
  usedNumbers: Set<number>,
  options: WalkOptions,
): Promise<WalkFinding[]> {
  const findings: WalkFinding[] = [];
  for (let lock = 1; lock <= locks; lock++) {
    const finding = await walkLock({ board, lock }, usedNumbers, options);
    if (finding.mapped) usedNumbers.add(finding.compartment.number);
    options.prompt.say(describe(finding));
    findings.push(finding);
  }
  return findings;
}

async function walkLock(
  address: LockAddress,
  usedNumbers: Set<number>,
  { bus, prompt, closeConfirmMs, closePollMs }: WalkOptions,
): Promise<WalkFinding> {
  let sensorSawOpen: boolean;
  try {
    await bus.unlock(address);
    sensorSawOpen = true;
  } catch (error) {
    if (!(error instanceof LockBusError)) throw error;
    if (error.code === 'DOOR_ALREADY_OPEN') {
      return problem(
        address,
        'reads_open_before_unlock',
        'the door sensor read open before the unlock; nothing was sent',
      );
    }
    if (error.code !== 'DOOR_JAMMED' && error.code !== 'UNLOCK_OUTCOME_UNKNOWN') {
      return problem(address, 'unlock_refused', error.message);
    }
    sensorSawOpen = false;
  }
  const answer = await prompt.whichDoorOpened(address.board, address.lock);
  if (!answer) {
    return sensorSawOpen
      ? problem(
          address,
          'no_door_seen',
          'the sensor read open but the installer saw no door open: check the sensor wiring',
        )
      : problem(
          address,
          'lock_jammed',
          'no door opened and the sensor stayed closed: check the lock and its wiring',
        );
  }
  await prompt.closeDoor(answer.number);
  if (!sensorSawOpen) {
    return problem(
      address,
      'dead_sensor',
      `door ${answer.number} opened but its sensor never read open: replace the sensor; compartment left out`,
      answer.number,
    );
  }
  if (!(await closedWithin(bus, address, closeConfirmMs, closePollMs))) {
    return problem(
      address,
      'sensor_stuck_open',
      `door ${answer.number} was closed but its sensor still read open after ${closeConfirmMs / 1000} s; compartment left out`,
      answer.number,
    );
  }
  if (usedNumbers.has(answer.number)) {
    return problem(
      address,
      'duplicate_number',
      `number ${answer.number} was already given to another door`,
      answer.number,
    );
  }
  const compartment: CompartmentConfig = {
    number: answer.number,
    board: address.board,
    lock: address.lock,
    size: answer.size,
    doorSensor: true,
    itemSensor: false,
    position: answer.position,
    heightCm: answer.heightCm,
  };
  const withinReach = answer.heightCm.bottom >= reachRangeCm.low && answer.heightCm.top <= reachRangeCm.high;
  return { ...address, mapped: true, compartment, withinReach };
}

/** Polls the door (each read a real status read) until it reads closed, or the time is up. */
async function closedWithin(
  bus: LockBus,
  address: LockAddress,
  timeoutMs: number,
  pollMs: number,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const state = await bus.readLock(address).catch(() => undefined);
    if (state?.door === 'closed') return true;
    if (performance.now() >= deadline) return false;
    await sleep(pollMs);
  }
}

function problem(
  address: LockAddress,
  kind: CompartmentProblem,
  detail: string,
  number?: number,
): WalkFinding {
  return { ...address, mapped: false, problem: kind, detail, ...(number === undefined ? {} : { number }) };
}

function describe(finding: WalkFinding): string {
  const where = `board ${finding.board} lock ${finding.lock}`;
  if (finding.mapped) {
    const { number, size, heightCm } = finding.compartment;
    return `${where}: compartment ${number}, ${size}, ${heightCm?.bottom}–${heightCm?.top} cm${finding.withinReach ? ', within reach' : ''}`;
  }
  return `${where}: ${finding.problem}: ${finding.detail}`;
}
