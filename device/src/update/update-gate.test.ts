import { existsSync, mkdirSync, mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { UpdateStatus } from '@locker/protocol';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { InstallLayout } from './install-layout.ts';
import { type GateHealth, UpdateGate } from './update-gate.ts';
import { readUpdateRecord, writeUpdateRecord } from './update-state.ts';

const logger = pino({ level: 'silent' });
const gateMs = 5 * 60_000;
let work: string;
let layout: InstallLayout;

function switchedTo(version: string, attempts = 0): void {
  for (const v of ['0.1.0', version]) mkdirSync(layout.releaseDir(v), { recursive: true });
  mkdirSync(layout.releaseDir('0.0.9'), { recursive: true });
  layout.switchTo(version);
  writeUpdateRecord(layout.stateFile, {
    rolloutId: 'r1',
    version,
    previous: '0.1.0',
    phase: 'switched',
    attempts,
    backup: join(work, 'backup.db'),
    reported: false,
  });
}

function gate(running: string, health: () => GateHealth) {
  const reports: UpdateStatus[] = [];
  const restart = vi.fn(async () => {});
  const updateGate = new UpdateGate({
    layout,
    running,
    healthGateMs: gateMs,
    health,
    report: async (status) => {
      reports.push(status);
      return true;
    },
    restart,
    now: () => new Date('2026-11-25T02:00:00Z'),
    logger,
  });
  return { updateGate, reports, restart };
}

beforeEach(() => {
  vi.useFakeTimers();
  work = mkdtempSync(join(tmpdir(), 'update-gate-'));
  layout = new InstallLayout(join(work, 'install'));
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(work, { recursive: true, force: true });
});

describe('health gate of a new version', () => {
  it('commits once the lock bus and the fleet sync are up, reports healthy and keeps only the two releases', async () => {
    switchedTo('0.2.0');
    let health: GateHealth = { ok: false, fleetConnected: false };
    const { updateGate, reports, restart } = gate('0.2.0', () => health);
    updateGate.start();
    await vi.advanceTimersByTimeAsync(60_000);
    health = { ok: true, fleetConnected: false };
    await vi.advanceTimersByTimeAsync(60_000);
    expect(readUpdateRecord(layout.stateFile)?.phase).toBe('switched');
    health = { ok: true, fleetConnected: true };
    await vi.advanceTimersByTimeAsync(gateMs);
    expect(readUpdateRecord(layout.stateFile)).toMatchObject({ phase: 'committed', reported: true });
    expect(reports).toMatchObject([{ state: 'healthy', version: '0.2.0', running: '0.2.0' }]);
    expect(restart).not.toHaveBeenCalled();
    expect(readlinkSync(layout.current)).toBe(join('releases', '0.2.0'));
    expect(existsSync(layout.releaseDir('0.0.9'))).toBe(false);
    expect(existsSync(layout.releaseDir('0.1.0'))).toBe(true);
  });

  it('switches back to the previous release and restarts when not healthy within the gate', async () => {
    switchedTo('0.2.0');
    const { updateGate, restart } = gate('0.2.0', () => ({ ok: true, fleetConnected: false }));
    updateGate.start();
    await vi.advanceTimersByTimeAsync(gateMs - 1000);
    expect(restart).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(readlinkSync(layout.current)).toBe(join('releases', '0.1.0'));
    expect(readUpdateRecord(layout.stateFile)).toMatchObject({ phase: 'rolled_back', reported: false });
  });

  it('switches back at once when the new version has started more than three times without passing', async () => {
    switchedTo('0.2.0', 3);
    const { updateGate, restart } = gate('0.2.0', () => ({ ok: false, fleetConnected: null }));
    updateGate.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(restart).toHaveBeenCalledTimes(1);
    expect(readlinkSync(layout.current)).toBe(join('releases', '0.1.0'));
  });

  it('the previous version, started again, reports update_rolled_back once with the reason', async () => {
    switchedTo('0.2.0');
    const failing = gate('0.2.0', () => ({ ok: false, fleetConnected: true }));
    failing.updateGate.start();
    await vi.advanceTimersByTimeAsync(gateMs);
    const previous = gate('0.1.0', () => ({ ok: true, fleetConnected: true }));
    previous.updateGate.start();
    await previous.updateGate.reportPending();
    await previous.updateGate.reportPending();
    expect(previous.reports).toMatchObject([
      { state: 'update_rolled_back', version: '0.2.0', running: '0.1.0', code: 'UNHEALTHY' },
    ]);
    expect(previous.reports[0]?.message).toMatch(/not healthy/);
  });
});
