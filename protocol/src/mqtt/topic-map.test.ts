import { describe, expect, it } from 'vitest';
import {
  decodePayload,
  encodePayload,
  parseTopic,
  TopicError,
  topicFilterAll,
  topicFor,
} from './topic-map.ts';

const hash = 'a'.repeat(64);
const reservation = {
  id: 'r-1',
  label: 'RB-0001',
  itemType: 'driving_licence',
  kind: 'document',
  size: 'S',
  state: 'ready_to_load',
  pinHash: hash,
  qrHash: hash,
  twoFactor: true,
  expiresAt: '2026-12-01T00:00:00.000Z',
} as const;

describe('MQTT topic map', () => {
  it('builds and parses topics of one locker', () => {
    expect(topicFor('events', 'ieper-1')).toBe('lockers/v1/ieper-1/events');
    expect(topicFor('commandResults', 'ieper-1')).toBe('lockers/v1/ieper-1/commands/result');
    expect(parseTopic('lockers/v1/ieper-1/commands/result')).toEqual({
      lockerId: 'ieper-1',
      name: 'commandResults',
    });
    expect(parseTopic('lockers/v1/ieper-1/nope')).toBeUndefined();
    expect(parseTopic('lockers/v2/ieper-1/events')).toBeUndefined();
    expect(topicFilterAll('events')).toBe('lockers/v1/+/events');
  });

  it('refuses locker ids that would make a wildcard or a new level', () => {
    for (const bad of ['+', '#', 'a/b', '', 'Ieper'])
      expect(() => topicFor('events', bad)).toThrow(/TOPIC_BAD_LOCKER_ID/);
  });

  it('decodes a valid reservation change and names every problem of a bad one', () => {
    const change = decodePayload(
      'reservations',
      JSON.stringify({ v: 1, version: 3, kind: 'upsert', reservation }),
    );
    expect(change.kind).toBe('upsert');
    expect(() => decodePayload('reservations', '{not json')).toThrow(/PAYLOAD_NOT_JSON/);
    const bad = {
      v: 1,
      version: 0,
      kind: 'upsert',
      reservation: { ...reservation, qrHash: undefined, pinHash: 'xyz' },
    };
    try {
      decodePayload('reservations', JSON.stringify(bad));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TopicError);
      expect((error as Error).message).toMatch(/version/);
      expect((error as Error).message).toMatch(/reservation\.pinHash/);
    }
    expect(() =>
      decodePayload('reservations', JSON.stringify({ v: 2, version: 1, kind: 'remove', reservationId: 'x' })),
    ).toThrow(/PAYLOAD_INVALID/);
  });

  it('refuses two-factor reservations without both hashes and unknown fields', () => {
    const oneFactor = { ...reservation, qrHash: undefined };
    expect(() =>
      encodePayload('reservations', { v: 1, version: 1, kind: 'upsert', reservation: oneFactor }),
    ).toThrow(/twoFactor/);
    // before loading no codes exist yet; once loaded a reservation must carry them
    const waiting = { ...reservation, pinHash: undefined, qrHash: undefined };
    expect(() =>
      encodePayload('reservations', { v: 1, version: 1, kind: 'upsert', reservation: waiting }),
    ).not.toThrow();
    expect(() =>
      encodePayload('reservations', {
        v: 1,
        version: 1,
        kind: 'upsert',
        reservation: { ...waiting, state: 'loaded' },
      }),
    ).toThrow(/loaded reservation needs/);
    expect(() =>
      decodePayload(
        'commands',
        JSON.stringify({
          v: 1,
          requestId: 'q',
          type: 'open',
          compartment: 1,
          reason: 'stuck',
          by: 'it',
          extra: 1,
        }),
      ),
    ).toThrow(/PAYLOAD_INVALID/);
  });

  it('encodes events with defaults and refuses a bad one before sending', () => {
    const text = encodePayload('events', {
      v: 1,
      id: '6f1c1c7e-7c1a-4d4e-9a53-3f0d7b6f1a10',
      seq: 1,
      lockerId: 'ieper-1',
      type: 'picked_up',
      at: '2026-11-24T10:00:00.000Z',
      compartment: 4,
    });
    expect(JSON.parse(text).data).toEqual({});
    expect(() => encodePayload('events', { v: 1, id: 'x', seq: 0 } as never)).toThrow(/PAYLOAD_INVALID/);
  });
});
