import { randomUUID } from 'node:crypto';
import { isStaffPin } from '@locker/protocol';
import { hashPassword } from '../security/password-hash.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import type { Role, UserRecord } from '../store/user-repo.ts';
import { ChangeCommit } from './change-commit.ts';
import { ChangeLog } from './change-log.ts';
import type { ChangePublisher } from './change-publisher.ts';
import { FleetError, notFound } from './fleet-errors.ts';
import type { LockerRegistry } from './locker-registry.ts';

/** Staff users and the PINs they type at the lockers of their municipalities. */
export class StaffService {
  private readonly commit: ChangeCommit;
  private readonly changeLog: ChangeLog;

  constructor(
    private readonly store: FleetStore,
    private readonly registry: LockerRegistry,
    publisher: ChangePublisher,
  ) {
    // staff lists are not on the dashboard: nothing live to announce
    this.commit = new ChangeCommit({ store, publisher, live: () => undefined });
    this.changeLog = new ChangeLog({ store, now: Date.now });
  }

  async create(
    input: { username: string; display: string; password: string; role: Role; municipalities: string[] },
    actor: string,
  ): Promise<UserRecord> {
    if (input.password.length < 12)
      throw new FleetError('PASSWORD_TOO_SHORT', 'a staff password has at least 12 characters');
    if (this.store.users.byUsername(input.username))
      throw new FleetError('USERNAME_TAKEN', `user name ${input.username} is taken`);
    for (const m of input.municipalities)
      if (m !== '*' && !this.store.directory.municipality(m)) throw notFound(`municipality ${m}`);
    const passwordHash = await hashPassword(input.password);
    const user = {
      id: randomUUID(),
      username: input.username,
      display: input.display,
      passwordHash,
      role: input.role,
      municipalities: input.municipalities,
      createdAt: new Date().toISOString(),
    };
    this.store.transaction(() => {
      this.store.users.insert(user);
      this.store.audit.append({
        actor,
        action: 'user.create',
        municipalityId: input.municipalities[0] ?? null,
        target: user.id,
        data: { username: user.username, role: user.role, municipalities: user.municipalities },
      });
    });
    return { ...user, disabled: false };
  }

  /** Sets the PIN a staff member types at every locker of their municipalities, hashed per locker. */
  setLockerPin(userId: string, pin: string, actor: string): number {
    if (!isStaffPin(pin))
      throw new FleetError(
        'STAFF_PIN_INVALID',
        'a staff PIN is 10 to 12 digits, not a run, a repeat or one digit',
      );
    const user = this.user(userId);
    const lockers = this.store.lockers
      .list(user.municipalities.includes('*') ? 'all' : user.municipalities)
      .filter((locker) => !locker.decommissionedAt);
    return this.changeStaff(userId, 'user.set_locker_pin', actor, {}, () => {
      for (const locker of lockers)
        this.store.users.setStaffPin(userId, locker.id, this.registry.hashCode(locker.id, 'staff', pin));
      return lockers.map((locker) => locker.id);
    });
  }

  /** Removes the staff member's PIN from every locker (pushed like reservation changes). */
  removeLockerPin(userId: string, actor: string): number {
    this.user(userId);
    return this.changeStaff(userId, 'user.remove_locker_pin', actor, {}, () => {
      const lockerIds = this.store.users.staffPinLockers(userId);
      this.store.users.deleteStaffPins(userId);
      return lockerIds;
    });
  }

  /**
   * Disables a staff user: their sessions end, their API tokens stop working, their logins are
   * refused, and their PIN leaves every locker; nothing is deleted, so `enable` undoes it.
   */
  disable(userId: string, reason: string, actor: string): { sessionsEnded: number; lockers: number } {
    const user = this.user(userId);
    if (user.disabled) throw new FleetError('USER_ALREADY_DISABLED', `user ${userId} is already disabled`);
    let sessionsEnded = 0;
    const lockers = this.changeStaff(userId, 'user.disable', actor, { reason }, () => {
      this.store.users.setDisabled(userId, true);
      sessionsEnded = this.store.users.deleteSessionsOf(userId);
      return this.store.users.staffPinLockers(userId);
    });
    return { sessionsEnded, lockers };
  }

  /** Lets a disabled staff user in again; their PIN returns to the lockers that held it. */
  enable(userId: string, actor: string): { lockers: number } {
    const user = this.user(userId);
    if (!user.disabled) throw new FleetError('USER_NOT_DISABLED', `user ${userId} is not disabled`);
    const lockers = this.changeStaff(userId, 'user.enable', actor, {}, () => {
      this.store.users.setDisabled(userId, false);
      return this.store.users.staffPinLockers(userId);
    });
    return { lockers };
  }

  private user(userId: string): UserRecord {
    const user = this.store.users.get(userId);
    if (!user) throw notFound(`user ${userId}`);
    return user;
  }

  /**
   * Runs `apply` (which returns the lockers whose staff list it changed), audits it, appends each
   * locker's new staff list to its change log in the same transaction, then publishes: a locker
   * that is offline gets the change when it catches up. Returns the number of lockers changed.
   */
  private changeStaff(
    userId: string,
    action: string,
    actor: string,
    data: Record<string, unknown>,
    apply: () => string[],
  ): number {
    const user = this.user(userId);
    const at = new Date().toISOString();
    return this.commit.commitAndPublish((out) => {
      const lockerIds = apply().filter((id) => !this.store.lockers.get(id)?.decommissionedAt);
      this.store.audit.append({
        actor,
        action,
        municipalityId: user.municipalities[0] ?? null,
        target: userId,
        data: { ...data, lockers: lockerIds.length },
      });
      for (const lockerId of lockerIds) out.publish(this.changeLog.staff(lockerId, at));
      return lockerIds.length;
    });
  }
}
