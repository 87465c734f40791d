import pino from 'pino';
import { FleetDemo } from '../demo/fleet-demo.ts';

/** `npm start`: fleet + two simulated lockers + demo mailbox on embedded defaults; prints where to click. */
const logger = pino({ name: 'demo', level: process.env.LOG_LEVEL ?? 'warn' });
const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);

async function main(): Promise<void> {
  const demo = new FleetDemo({
    ports: {
      http: port('FLEET_HTTP_PORT', 8000),
      mailbox: port('DEMO_MAILBOX_PORT', 8025),
      kioskBase: port('KIOSK_PORT', 8081),
    },
    logger,
  });
  await demo.start();
  const [ieper, poperinge] = demo.lockers;
  const desk = demo.logins.find((l) => l.username === 'balie.ieper')!;
  const lines = [
    '',
    '24/7 service lockers — demo (everything runs on this machine; Ctrl-C stops it)',
    '',
    `Desk page:        ${demo.httpUrl}/desk`,
    `IT dashboard:     ${demo.httpUrl}/dashboard`,
    `API (OpenAPI):    ${demo.httpUrl}/docs      metrics: ${demo.httpUrl}/metrics`,
    `Demo mailbox:     ${demo.mailbox.url}   (the citizens' e-mails land here)`,
    `Locker kiosks:    ${ieper!.id} ${ieper!.kioskUrl}   ${poperinge!.id} ${poperinge!.kioskUrl}`,
    `Simulators:       ${ieper!.rig.simulator.ready.controlUrl}/state   ${poperinge!.rig.simulator.ready.controlUrl}/state`,
    '',
    'Logins (passwords are new every run):',
    ...demo.logins.map(
      (l) =>
        `  ${l.username.padEnd(16)} ${l.password.padEnd(18)} ${l.role.padEnd(6)} ${l.municipalities.join(',')}${l.lockerPin ? `   PIN at the locker: ${l.lockerPin}` : ''}`,
    ),
    '',
    'A whole pickup (README has the long version):',
    `  1. Desk page as ${desk.username}: make a reservation for ${ieper!.id}.`,
    `  2. Kiosk ${ieper!.kioskUrl}: type ${desk.lockerPin}, press "Volgende laden"; the simulated door opens. Put the item in and close it:`,
    `     curl -X POST ${ieper!.rig.simulator.ready.controlUrl}/boards/0/locks/<lock>/put-item ; curl -X POST ${ieper!.rig.simulator.ready.controlUrl}/boards/0/locks/<lock>/close`,
    `  3. The e-mail with the QR code arrives in the demo mailbox; present the QR text at the scanner:`,
    `     curl -X POST -H 'content-type: application/json' -d '{"text":"LKR1.…"}' ${ieper!.rig.simulator.ready.controlUrl}/inputs/scanner`,
    '  4. The door opens; take the item and close it (take-item, close). The dashboard shows it live.',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(1), 10_000).unref();
    await demo.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.fatal({ err: error }, 'demo failed to start');
  process.stderr.write(`demo failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
