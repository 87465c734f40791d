import type { FleetStore } from '../store/fleet-store.ts';
import type { AlarmRecord, CompartmentRecord, LockerRecord } from '../store/locker-repo.ts';
import { FleetError } from './fleet-errors.ts';

/** What the dashboard shows of a locker: never its credential hash or code key. */
export type LockerView = Omit<LockerRecord, 'mqttHash' | 'codeKeyBox'> & {
  /** The newest reservation change for this locker; equal to appliedVersion when it is in sync. */
  latestVersion: number;
  compartments: CompartmentRecord[];
  alarms: AlarmRecord[];
};

/** The IT side of lockers for the HTTP routes: views, command answers, alarms (acknowledged, audited). */
export class LockerDesk {
  constructor(private readonly store: FleetStore) {}

  find(id: string): LockerRecord | undefined {
    return this.store.lockers.get(id);
  }

  list(municipalities: readonly string[] | 'all'): LockerView[] {
    return this.store.lockers.list(municipalities).map((l) => this.view(l));
  }

  view(locker: LockerRecord): LockerView {
    const { mqttHash: _m, codeKeyBox: _c, ...rest } = locker;
    return {
      ...rest,
      latestVersion: this.store.lockers.latestVersion(locker.id),
      compartments: this.store.lockers.compartments(locker.id),
      alarms: this.store.lockers.openAlarms([locker.id]),
    };
  }

  command(requestId: string): { ok: number | null; resultCode: string | null; lockerId: string } | undefined {
    return this.store.lockers.command(requestId);
  }

  alarm(id: string): AlarmRecord | undefined {
    return this.store.lockers.alarm(id);
  }

  acknowledgeAlarm(alarm: AlarmRecord, municipalityId: string, actor: string): void {
    this.store.transaction(() => {
      if (!this.store.lockers.acknowledgeAlarm(alarm.id, actor, new Date().toISOString()))
        throw new FleetError('ALARM_ALREADY_ACKNOWLEDGED');
      this.store.audit.append({
        actor,
        action: 'alarm.acknowledge',
        municipalityId,
        target: alarm.id,
        data: { code: alarm.code },
      });
    });
  }
}
