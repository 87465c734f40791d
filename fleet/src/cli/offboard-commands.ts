import type { Fleet } from '../fleet.ts';
import { FleetError, notFound } from '../services/fleet-errors.ts';

export const offboardUsage = `  npm run fleet -- rotate-locker --config fleet.yaml --id ieper-stadhuis-1   (new MQTT password, shown once)
  npm run fleet -- decommission-locker --config fleet.yaml --id ieper-stadhuis-1 --reason "site closed"
  npm run fleet -- disable-user --config fleet.yaml --username jan.peeters --reason "left the service"
  npm run fleet -- enable-user --config fleet.yaml --username jan.peeters
  npm run fleet -- remove-staff-pin --config fleet.yaml --username jan.peeters
  npm run fleet -- list-tokens --config fleet.yaml
  npm run fleet -- revoke-token --config fleet.yaml --id <token id> --reason "leaked"
  (against the store: a running fleet refuses the next login or request, and its embedded broker
   closes the locker's session at its next publish; staff lists reach the lockers when they next
   catch up (through the API: at once); with an external Mosquitto: mosquitto-files, then reload it)`;

export interface OffboardArgs {
  id?: string | undefined;
  username?: string | undefined;
  reason?: string | undefined;
}

const actor = 'cli';

/**
 * Offboarding steps from the command line (audited as `cli`); returns what to print, or undefined
 * when `command` is not one of them.
 */
export function runOffboardCommand(fleet: Fleet, command: string, args: OffboardArgs): unknown {
  const need = (value: string | undefined, flag: string): string => {
    if (!value) throw new FleetError('ARGS', `${flag} is required for ${command}\n${offboardUsage}`);
    return value;
  };
  const userId = () => {
    const username = need(args.username, '--username');
    const user = fleet.store.users.byUsername(username);
    if (!user) throw notFound(`user ${username}`);
    return user.id;
  };
  switch (command) {
    case 'rotate-locker':
      return fleet.registry.rotate(need(args.id, '--id'), actor);
    case 'decommission-locker':
      return fleet.registry.decommission(need(args.id, '--id'), need(args.reason, '--reason'), actor);
    case 'disable-user':
      return fleet.staff.disable(userId(), need(args.reason, '--reason'), actor);
    case 'enable-user':
      return fleet.staff.enable(userId(), actor);
    case 'remove-staff-pin':
      return { lockers: fleet.staff.removeLockerPin(userId(), actor) };
    case 'list-tokens':
      return fleet.tokens.list();
    case 'revoke-token':
      return fleet.tokens.revoke(need(args.id, '--id'), need(args.reason, '--reason'), actor);
    default:
      return undefined;
  }
}
