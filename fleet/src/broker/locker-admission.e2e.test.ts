import { connectProbe } from '@locker/test-kit/fleet';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { defaultBrokerLimits } from './broker-limits.ts';
import { EmbeddedBroker } from './embedded-broker.ts';
import { serviceUsername } from './topic-acl.ts';

const broker = new EmbeddedBroker({
  host: '127.0.0.1',
  port: 0,
  authenticate: (username, password) => {
    if (password !== 'right') return undefined;
    return username === serviceUsername ? { kind: 'service' } : { kind: 'locker', lockerId: username };
  },
  limits: defaultBrokerLimits,
  logger: pino({ level: 'silent' }),
});

afterAll(async () => {
  await broker.stop();
});

it('tells lockers to retry until the fleet is subscribed, so no event after a restart is published to nobody', async () => {
  await broker.start();
  await expect(connectProbe(broker.url, 'ieper-1', 'right', 'locker-ieper-1')).rejects.toThrow(
    /Server unavailable/i,
  );
  expect(broker.counters.refusedLogins).toBe(0);
  const fleet = await connectProbe(broker.url, serviceUsername, 'right', 'fleet-service');
  broker.admitLockers();
  const locker = await connectProbe(broker.url, 'ieper-1', 'right', 'locker-ieper-1');
  expect(locker.connected).toBe(true);
  await locker.endAsync(true);
  await fleet.endAsync(true);
});
