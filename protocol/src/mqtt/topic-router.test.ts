import { describe, expect, it } from 'vitest';
import { TopicError, topicFor } from './topic-map.ts';
import { type RoutedMessage, TopicRouter } from './topic-router.ts';

const event = {
  v: 1,
  id: '6f1c1c7e-7c1a-4d4e-9a53-3f0d7b6f1a10',
  seq: 1,
  lockerId: 'ieper-1',
  type: 'picked_up',
  at: '2026-11-24T10:00:00.000Z',
  compartment: 4,
};
const syncState = { v: 1, version: 3, bootId: 'boot-1', reason: 'connect' };

function fleetSide() {
  const logged: { level: 'warn' | 'error'; fields: Record<string, unknown> }[] = [];
  const received: RoutedMessage[] = [];
  const router = new TopicRouter(
    {
      from: 'device',
      lockerAllowed: (lockerId) => lockerId === 'ieper-1',
      logger: {
        warn: (fields) => logged.push({ level: 'warn', fields: fields as Record<string, unknown> }),
        error: (fields) => logged.push({ level: 'error', fields: fields as Record<string, unknown> }),
      },
    },
    {
      events: (message) => {
        received.push(message);
      },
      syncState: (message) => {
        received.push(message);
      },
    },
  );
  const codes = () => logged.map((l) => l.fields.code);
  return { router, received, logged, codes };
}

describe('MQTT topic router', () => {
  it('maps a topic to its locker and kind and hands on the parsed payload (defaults filled in)', () => {
    const { router, received } = fleetSide();
    router.dispatch(topicFor('events', 'ieper-1'), JSON.stringify(event));
    router.dispatch(topicFor('syncState', 'ieper-1'), JSON.stringify(syncState));
    expect(received).toEqual([
      { name: 'events', lockerId: 'ieper-1', payload: { ...event, data: {} } },
      { name: 'syncState', lockerId: 'ieper-1', payload: syncState },
    ]);
    expect(router.counters).toEqual({ routed: 2, rejected: 0 });
  });

  it('rejects, counts and logs every bad topic and payload, and applies none of them', () => {
    const { router, received, codes } = fleetSide();
    const bad: [string, string][] = [
      ['lockers/v1/ieper-1/nope', JSON.stringify(event)],
      ['lockers/v2/ieper-1/events', JSON.stringify(event)],
      [topicFor('reservations', 'ieper-1'), '{}'], // the fleet's own kind, not one it receives
      [topicFor('telemetry', 'ieper-1'), '{}'], // a locker kind this side has no handler for
      [topicFor('events', 'poperinge-1'), JSON.stringify({ ...event, lockerId: 'poperinge-1' })],
      [topicFor('events', 'ieper-1'), '{not json'],
      [topicFor('events', 'ieper-1'), JSON.stringify({ ...event, seq: 0 })],
      [topicFor('events', 'ieper-1'), JSON.stringify({ ...event, lockerId: 'ieper-2' })],
    ];
    for (const [topic, payload] of bad) expect(router.dispatch(topic, payload)).toBeUndefined();
    expect(received).toEqual([]);
    expect(router.counters).toEqual({ routed: 0, rejected: bad.length });
    expect(codes()).toEqual([
      'TOPIC_UNKNOWN',
      'TOPIC_UNKNOWN',
      'TOPIC_UNKNOWN',
      'TOPIC_UNKNOWN',
      'TOPIC_NOT_OURS',
      'PAYLOAD_NOT_JSON',
      'PAYLOAD_INVALID',
      'PAYLOAD_INVALID',
    ]);
  });

  it('counts what a handler rejects, logs a handler that fails, and never throws into the client', async () => {
    const logged: string[] = [];
    const router = new TopicRouter(
      {
        from: 'fleet',
        lockerAllowed: (lockerId) => lockerId === 'ieper-1',
        logger: {
          warn: (fields) => logged.push(`warn ${(fields as { code: string }).code}`),
          error: () => logged.push('error'),
        },
      },
      {
        eventsAck: () => {
          throw new Error('store closed');
        },
        commands: async () => {
          throw new Error('bus gone');
        },
        reservations: () => {
          throw new TopicError('PAYLOAD_INVALID', 'reservations: version 0 after 3');
        },
      },
    );
    const ack = JSON.stringify({ v: 1, acks: [{ seq: 1, id: event.id }] });
    expect(() => router.dispatch(topicFor('eventsAck', 'ieper-1'), ack)).not.toThrow();
    const command = { v: 1, requestId: 'q1', type: 'resync', by: 'it' };
    await router.dispatch(topicFor('commands', 'ieper-1'), JSON.stringify(command));
    const change = { v: 1, version: 1, kind: 'remove', reservationId: 'r-1' };
    router.dispatch(topicFor('reservations', 'ieper-1'), JSON.stringify(change));
    expect(logged).toEqual(['error', 'error', 'warn PAYLOAD_INVALID']);
    expect(router.counters).toEqual({ routed: 3, rejected: 1 });
  });

  it('runs a synchronous handler to its end before dispatch returns', () => {
    const { router, received } = fleetSide();
    const pending = router.dispatch(topicFor('events', 'ieper-1'), JSON.stringify(event));
    expect(pending).toBeUndefined();
    expect(received).toHaveLength(1);
  });
});
