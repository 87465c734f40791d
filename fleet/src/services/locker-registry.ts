import { randomBytes, timingSafeEqual } from 'node:crypto';
import { codeHash } from '@locker/protocol';
import type { MqttIdentity } from '../broker/topic-acl.ts';
import { serviceUsername } from '../broker/topic-acl.ts';
import { hashMqttSecret, newMqttSecret, verifyMqttSecret } from '../security/mqtt-credential.ts';
import type { SecretBox } from '../security/secret-box.ts';
import type { FleetStore } from '../store/fleet-store.ts';
import { FleetError, notFound } from './fleet-errors.ts';

const lockerIdPattern = /^[a-z0-9][a-z0-9-]{1,62}$/;

export interface ProvisionedLocker {
  lockerId: string;
  /** Shown once: the locker's MQTT user name and password, and its code key. */
  mqtt: { username: string; password: string };
  codeKey: string;
}

/** The MQTT client id a locker must log in with. */
export const lockerClientId = (lockerId: string) => `locker-${lockerId}`;

/**
 * Closes a client's live MQTT session; the embedded broker does it at once, an external broker
 * cannot (its operator reloads it with new `mosquitto-files`).
 */
export type SessionCloser = (clientId: string) => void;

/**
 * Provisions lockers (credentials stored hashed, rotatable), decommissions them, and tells the
 * broker who is connecting.
 */
export class LockerRegistry {
  /** The credential hash each locker logged in with, to notice a rotation made by another process. */
  private readonly loginCredentials = new Map<string, string>();

  constructor(
    private readonly store: FleetStore,
    private readonly box: SecretBox,
    private readonly servicePassword: string,
    private readonly closeSession: SessionCloser,
  ) {}

  provision(
    input: { id: string; municipalityId: string; siteId: string | null; name: string },
    actor: string,
  ): ProvisionedLocker {
    if (!lockerIdPattern.test(input.id))
      throw new FleetError(
        'LOCKER_ID_INVALID',
        'a locker id is 2–63 characters of a-z, 0-9 and -, starting with a letter or digit',
      );
    if (!this.store.directory.municipality(input.municipalityId))
      throw notFound(`municipality ${input.municipalityId}`);
    if (this.store.lockers.get(input.id))
      throw new FleetError(
        'LOCKER_EXISTS',
        `locker ${input.id} is already provisioned; rotate its credentials instead`,
      );
    const password = newMqttSecret();
    const codeKey = randomBytes(32).toString('base64url');
    this.store.transaction(() => {
      this.store.lockers.insert({
        ...input,
        mqttHash: hashMqttSecret(password),
        codeKeyBox: this.box.seal(codeKey),
        createdAt: new Date().toISOString(),
      });
      this.store.audit.append({
        actor,
        action: 'locker.provision',
        municipalityId: input.municipalityId,
        target: input.id,
        data: { name: input.name },
      });
    });
    return { lockerId: input.id, mqtt: { username: input.id, password }, codeKey };
  }

  /** A new MQTT password; the old one stops working and the live session is closed at once. */
  rotate(lockerId: string, actor: string): { username: string; password: string } {
    const locker = this.active(lockerId);
    const password = newMqttSecret();
    this.store.transaction(() => {
      this.store.lockers.setCredential(lockerId, hashMqttSecret(password));
      this.store.audit.append({
        actor,
        action: 'locker.rotate_credentials',
        municipalityId: locker.municipalityId,
        target: lockerId,
        data: {},
      });
    });
    this.closeSession(lockerClientId(lockerId));
    return { username: lockerId, password };
  }

  /**
   * Takes a locker out of service: its logins are refused, its live session is closed, no change
   * is sent to it any more; its reservations, events and audit stay.
   */
  decommission(lockerId: string, reason: string, actor: string): { decommissionedAt: string } {
    const locker = this.active(lockerId);
    const at = new Date().toISOString();
    this.store.transaction(() => {
      this.store.lockers.decommission(lockerId, reason, at);
      this.store.audit.append({
        actor,
        action: 'locker.decommission',
        municipalityId: locker.municipalityId,
        target: lockerId,
        data: { reason },
      });
    });
    this.closeSession(lockerClientId(lockerId));
    return { decommissionedAt: at };
  }

  private active(lockerId: string) {
    const locker = this.store.lockers.get(lockerId);
    if (!locker) throw notFound(`locker ${lockerId}`);
    if (locker.decommissionedAt)
      throw new FleetError('LOCKER_DECOMMISSIONED', `locker ${lockerId} is decommissioned`);
    return locker;
  }

  /** Keyed hash of a code for one locker, as that locker computes it. */
  hashCode(lockerId: string, kind: 'pin' | 'qr' | 'staff', code: string): string {
    const locker = this.store.lockers.get(lockerId);
    if (!locker) throw notFound(`locker ${lockerId}`);
    return codeHash(this.box.open(locker.codeKeyBox), lockerId, kind, code);
  }

  authenticate(username: string, password: string, clientId: string): MqttIdentity | undefined {
    if (username === serviceUsername) {
      const a = Buffer.from(password);
      const b = Buffer.from(this.servicePassword);
      return a.length === b.length && timingSafeEqual(a, b) && clientId.startsWith('fleet-')
        ? { kind: 'service' }
        : undefined;
    }
    const locker = this.store.lockers.get(username);
    // the client id is bound to the locker: nobody can take over another locker's session
    if (!locker || locker.decommissionedAt || clientId !== lockerClientId(locker.id)) return undefined;
    if (!verifyMqttSecret(password, locker.mqttHash)) return undefined;
    this.loginCredentials.set(locker.id, locker.mqttHash);
    return { kind: 'locker', lockerId: locker.id };
  }

  /**
   * Whether a logged-in identity still holds: its locker is not decommissioned and its credential
   * is the one it logged in with (the CLI rotates and decommissions from another process).
   */
  isCurrent(identity: MqttIdentity): boolean {
    if (identity.kind === 'service') return true;
    const locker = this.store.lockers.get(identity.lockerId);
    return !!locker && !locker.decommissionedAt && this.loginCredentials.get(locker.id) === locker.mqttHash;
  }
}
