import { describe, expect, it } from 'vitest';
import { mayPublish, maySubscribe, mosquittoAcl } from './topic-acl.ts';

const ieper = { kind: 'locker', lockerId: 'ieper-1' } as const;
const service = { kind: 'service' } as const;

describe('topic ACL', () => {
  it('lets a locker publish only device topics under its own root', () => {
    expect(mayPublish(ieper, 'lockers/v1/ieper-1/events')).toBe(true);
    expect(mayPublish(ieper, 'lockers/v1/ieper-1/status')).toBe(true);
    expect(mayPublish(ieper, 'lockers/v1/ieper-1/commands/result')).toBe(true);
    expect(mayPublish(ieper, 'lockers/v1/ieper-1/reservations')).toBe(false);
    expect(mayPublish(ieper, 'lockers/v1/ieper-2/events')).toBe(false);
    expect(mayPublish(ieper, 'lockers/v1/ieper-1/other')).toBe(false);
    expect(mayPublish(ieper, '$SYS/anything')).toBe(false);
  });

  it('lets a locker subscribe only to the fleet’s topics under its own root, no wildcards', () => {
    expect(maySubscribe(ieper, 'lockers/v1/ieper-1/reservations')).toBe(true);
    expect(maySubscribe(ieper, 'lockers/v1/ieper-1/commands')).toBe(true);
    expect(maySubscribe(ieper, 'lockers/v1/ieper-1/events')).toBe(false);
    expect(maySubscribe(ieper, 'lockers/v1/+/reservations')).toBe(false);
    expect(maySubscribe(ieper, 'lockers/v1/#')).toBe(false);
    expect(maySubscribe(ieper, '#')).toBe(false);
  });

  it('lets the service publish fleet topics and subscribe to device topics of every locker', () => {
    expect(mayPublish(service, 'lockers/v1/ieper-1/reservations')).toBe(true);
    expect(mayPublish(service, 'lockers/v1/ieper-1/events')).toBe(false);
    expect(maySubscribe(service, 'lockers/v1/+/events')).toBe(true);
    expect(maySubscribe(service, 'lockers/v1/+/commands/result')).toBe(true);
    expect(maySubscribe(service, 'lockers/v1/+/reservations')).toBe(false);
    expect(maySubscribe(service, '#')).toBe(false);
  });

  it('writes the same rules as a Mosquitto ACL file', () => {
    const acl = mosquittoAcl();
    expect(acl).toContain('pattern write lockers/v1/%u/events');
    expect(acl).toContain('pattern read lockers/v1/%u/reservations');
    expect(acl).toContain('user _fleet\ntopic read lockers/v1/+/status');
    expect(acl).toContain('topic write lockers/v1/+/commands');
    expect(acl).not.toMatch(/#\s*$/m);
  });
});
