import { LockerRig } from '@locker/test-kit/locker';
import pino from 'pino';
import { loadDeviceConfig } from '../config/load-device-config.ts';
import { Device } from '../runtime/device.ts';

/**
 * The main job until the fleet service lands (issue 4): one whole locker on embedded defaults —
 * the simulated cabinet (two CU16 boards with item sensors, a keypad and a QR scanner on socat
 * ptys), an embedded aedes broker, the device runtime with its touchscreen page, and a small
 * scripted fleet that hands it a staff PIN and a few reservations. Prints what to type where.
 */
const logger = pino({ name: 'locker-demo' });
const kioskPort = Number(process.env.KIOSK_PORT ?? 8080);
const staffPin = '2026110525';

async function main(): Promise<void> {
  const rig = new LockerRig({ kioskPort, sim: { physics: { springMs: 30, bounceMs: 0 } } });
  await rig.start();
  const device = new Device({
    config: loadDeviceConfig(rig.configFile),
    logger,
    env: rig.env(),
  });
  const { kioskUrl } = await device.start();
  const { peer } = rig;
  await peer.publish({
    kind: 'staff',
    staff: [{ id: 'desk-1', display: 'Balie', role: 'desk', pinHash: peer.hash('staff', staffPin) }],
  });
  const licence = await peer.reserve('demo-licence');
  const passport = await peer.reserve('demo-passport', { twoFactor: true, itemType: 'passport' });
  const key = await peer.reserve('demo-hall-key', {
    kind: 'loan',
    itemType: 'hall_key',
    size: 'M',
    dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
  });
  const control = rig.simulator.ready.controlUrl;
  process.stdout.write(
    [
      '',
      `Touchscreen page:   ${kioskUrl}   (health: ${kioskUrl}/healthz)`,
      `Simulator control:  ${control}/state`,
      `Broker (embedded):  ${rig.broker.url}`,
      '',
      `1. Staff loads:     type ${staffPin} on the page, press "Volgende laden", then put the item in and close the door:`,
      `                    curl -X POST ${control}/boards/0/locks/1/put-item; curl -X POST ${control}/boards/0/locks/1/close`,
      `2. Citizen PIN:     driving licence PIN ${licence.pin}`,
      `   Citizen QR:      curl -X POST -H 'content-type: application/json' -d '{"text":"${licence.qr}"}' ${control}/inputs/scanner`,
      `   Passport (2FA):  PIN ${passport.pin} and QR ${passport.qr}`,
      `   Hall key (loan): PIN ${key.pin}, return code ${key.returnPin}`,
      '   Take the item and close the door: POST …/take-item then …/close on the lock that opened (see /state).',
      'Ctrl-C stops.',
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await device.stop();
    await rig.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'demo failed to start');
  process.exit(1);
});
