import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigFile } from '@locker/node-kit';
import pino from 'pino';
import { mosquittoAcl, serviceUsername } from '../broker/topic-acl.ts';
import { fleetConfigSchema } from '../config/fleet-config.ts';
import { readFleetSecret } from '../config/secret-strength.ts';
import { FleetServer } from '../fleet-server.ts';
import { hashMqttSecret } from '../security/mqtt-credential.ts';
import { FleetError } from '../services/fleet-errors.ts';
import { offboardUsage, runOffboardCommand } from './offboard-commands.ts';

const logger = pino({ name: 'fleet' }, pino.destination({ fd: 2, sync: true }));
const timeouts = { stopMs: 10_000 } as const;
const usage = `usage:
  npm run fleet -- serve --config fleet.yaml
  npm run fleet -- add-municipality --config fleet.yaml --id ieper --name Ieper
  npm run fleet -- provision-locker --config fleet.yaml --id ieper-stadhuis-1 --municipality ieper --name "Stadhuis"
  npm run fleet -- create-user --config fleet.yaml --username admin --role admin --municipality '*'   (password from FLEET_NEW_USER_PASSWORD)
  npm run fleet -- verify-audit --config fleet.yaml   (exit 1 and the broken seq when the audit chain does not verify)
  npm run fleet -- mosquitto-files --config fleet.yaml --out /etc/mosquitto/locker   (password file and ACL for an external Mosquitto)
${offboardUsage}`;

/** The fleet service's command line: run it, or do one administrative step against its store. */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      id: { type: 'string' },
      municipality: { type: 'string', multiple: true },
      name: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      out: { type: 'string' },
      reason: { type: 'string' },
    },
  });
  const command = positionals[0] ?? 'serve';
  if (!values.config)
    throw new ConfigError('CONFIG_UNREADABLE', ['--config <fleet.yaml|fleet.json> is required', usage]);
  const config = loadConfigFile(fleetConfigSchema, values.config);
  if (command === 'serve') return serve(new FleetServer({ config, logger }));
  // administrative commands run against the store without opening the broker or HTTP ports
  const adminConfig = { ...config, mqtt: { broker: 'external' as const, url: 'mqtt://127.0.0.1:1' } };
  const admin = new FleetServer({ config: adminConfig, logger: pino({ level: 'warn' }) });
  const fleet = admin.fleet;
  await fleet.open();
  try {
    if (command === 'add-municipality') {
      if (!values.id || !values.name) throw new FleetError('ARGS', `--id and --name are required\n${usage}`);
      fleet.directory.add(values.id, values.name, 'cli');
      process.stdout.write(`${JSON.stringify({ id: values.id, name: values.name })}\n`);
    } else if (command === 'provision-locker') {
      const [municipality] = values.municipality ?? [];
      if (!values.id || !municipality || !values.name)
        throw new FleetError('ARGS', `--id, --municipality and --name are required\n${usage}`);
      const locker = fleet.registry.provision(
        { id: values.id, municipalityId: municipality, siteId: null, name: values.name },
        'cli',
      );
      process.stdout.write(`${JSON.stringify(locker, null, 2)}\n`);
      process.stderr.write(
        'Store the password and code key in the locker’s secret files now: they are not shown again.\n',
      );
    } else if (command === 'create-user') {
      const password = process.env.FLEET_NEW_USER_PASSWORD;
      if (!values.username || !values.role || !values.municipality || !password)
        throw new FleetError(
          'ARGS',
          `--username, --role, --municipality and FLEET_NEW_USER_PASSWORD are required\n${usage}`,
        );
      const user = await fleet.staff.create(
        {
          username: values.username,
          display: values.username,
          password,
          role: values.role as 'admin',
          municipalities: values.municipality,
        },
        'cli',
      );
      process.stdout.write(`${JSON.stringify({ id: user.id, username: user.username, role: user.role })}\n`);
    } else if (command === 'verify-audit') {
      const verdict = fleet.store.audit.verify();
      process.stdout.write(`${JSON.stringify(verdict)}\n`);
      if (!verdict.intact) process.exitCode = 1;
    } else if (command === 'mosquitto-files') {
      if (!values.out) throw new FleetError('ARGS', `--out is required\n${usage}`);
      mkdirSync(values.out, { recursive: true });
      // a decommissioned locker is left out: Mosquitto refuses it once reloaded
      const lockers = fleet.store.lockers.list('all').filter((l) => !l.decommissionedAt);
      const servicePassword = readFleetSecret(
        config.secrets.servicePassword,
        'secrets.servicePassword',
        config.mode,
      );
      const passwords = [
        `${serviceUsername}:${hashMqttSecret(servicePassword)}`,
        ...lockers.map((l) => `${l.id}:${l.mqttHash}`),
      ];
      writeFileSync(join(values.out, 'passwords'), `${passwords.join('\n')}\n`, { mode: 0o600 });
      writeFileSync(join(values.out, 'acl'), mosquittoAcl(), { mode: 0o644 });
      process.stdout.write(
        `${JSON.stringify({ lockers: lockers.length, passwordFile: join(values.out, 'passwords'), aclFile: join(values.out, 'acl') })}\n`,
      );
    } else {
      const result = runOffboardCommand(fleet, command, values);
      if (result === undefined) throw new FleetError('ARGS', `unknown command ${command}\n${usage}`);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }
  } finally {
    await admin.fleet.stop();
  }
}

async function serve(server: FleetServer): Promise<void> {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping fleet');
    setTimeout(() => process.exit(1), timeouts.stopMs).unref();
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  const addresses = await server.start();
  logger.info(addresses, 'fleet ready');
  process.stdout.write(`${JSON.stringify({ ready: true, ...addresses })}\n`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) for (const line of error.problems) process.stderr.write(`${line}\n`);
  else if (error instanceof FleetError) process.stderr.write(`${error.code}: ${error.message}\n`);
  else logger.fatal({ err: error }, 'fleet failed');
  process.exit(2);
});
