import { formatQr, randomPin, randomQrToken } from '@locker/protocol';
import type { FleetStore } from '../store/fleet-store.ts';
import { FleetError } from './fleet-errors.ts';
import type { LockerRegistry } from './locker-registry.ts';

/** A draw of 10⁸ with 20 live codes collides once in 5 million: this many in a row means a broken source. */
export const codeIssuerDefaults = { maxPinDraws: 20 } as const;

export interface IssuedPins {
  pin: string;
  pinHash: string;
  qr: string;
  qrHash: string;
  returnPin?: string;
  returnPinHash?: string;
}

/**
 * New codes for a reservation at one locker. PINs are unique among the codes the locker holds
 * (the fleet keeps only keyed hashes: a candidate's hash is looked up among that locker's PIN and
 * return-PIN hashes and drawn again on a match), so one citizen's PIN never opens another's door.
 * Runs inside the caller's transaction.
 */
export class CodeIssuer {
  constructor(
    private readonly deps: {
      store: FleetStore;
      registry: LockerRegistry;
      randomPin?: () => string;
    },
  ) {}

  issue(lockerId: string, withReturnPin: boolean): IssuedPins {
    const token = randomQrToken();
    const pin = this.uniquePin(lockerId, new Set());
    const codes: IssuedPins = {
      ...pin,
      qr: formatQr({ lockerId, token }),
      qrHash: this.deps.registry.hashCode(lockerId, 'qr', token),
    };
    if (!withReturnPin) return codes;
    const returnPin = this.uniquePin(lockerId, new Set([pin.pinHash]));
    return { ...codes, returnPin: returnPin.pin, returnPinHash: returnPin.pinHash };
  }

  private uniquePin(lockerId: string, taken: Set<string>): { pin: string; pinHash: string } {
    const draw = this.deps.randomPin ?? randomPin;
    for (let attempt = 0; attempt < codeIssuerDefaults.maxPinDraws; attempt++) {
      const pin = draw();
      const pinHash = this.deps.registry.hashCode(lockerId, 'pin', pin);
      if (!taken.has(pinHash) && !this.deps.store.reservations.pinHashInUse(lockerId, pinHash))
        return { pin, pinHash };
    }
    throw new FleetError(
      'PIN_SPACE_EXHAUSTED',
      `no unused PIN for locker ${lockerId} after ${codeIssuerDefaults.maxPinDraws} draws: check the random source`,
    );
  }
}
