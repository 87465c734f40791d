import { describe, expect, it } from 'vitest';
import { isLockerIdle } from './locker-idle.ts';
import { inMaintenanceWindow } from './maintenance-window.ts';

const quietMs = 120_000;
const base = { view: 'welcome' as const, screenChangedAt: 0, openDoors: 0, now: quietMs };

describe('when a locker may restart for an update', () => {
  it('is idle on the welcome page unchanged for the quiet time with every door closed', () => {
    expect(isLockerIdle(base, quietMs)).toBe(true);
  });

  it('is not idle during a citizen session, with a door open, or just after a visit ended', () => {
    expect(isLockerIdle({ ...base, view: 'second_factor' }, quietMs)).toBe(false);
    expect(isLockerIdle({ ...base, view: 'staff' }, quietMs)).toBe(false);
    expect(isLockerIdle({ ...base, openDoors: 1 }, quietMs)).toBe(false);
    expect(isLockerIdle({ ...base, now: quietMs - 1 }, quietMs)).toBe(false);
  });

  it('keeps to the maintenance window in local time, also one that wraps past midnight', () => {
    const at = (hour: number) => new Date(2026, 10, 25, hour, 30);
    expect(inMaintenanceWindow(at(2), { startHour: 1, endHour: 5 })).toBe(true);
    expect(inMaintenanceWindow(at(5), { startHour: 1, endHour: 5 })).toBe(false);
    expect(inMaintenanceWindow(at(23), { startHour: 22, endHour: 4 })).toBe(true);
    expect(inMaintenanceWindow(at(3), { startHour: 22, endHour: 4 })).toBe(true);
    expect(inMaintenanceWindow(at(12), { startHour: 22, endHour: 4 })).toBe(false);
  });
});
