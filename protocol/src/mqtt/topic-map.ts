import type { z } from 'zod';
import {
  commandResultSchema,
  commandSchema,
  eventsAckSchema,
  lockerEventSchema,
  presenceSchema,
  reservationChangeSchema,
  syncStateSchema,
  telemetrySchema,
} from './payload-schemas.ts';
import { updateCommandSchema, updateStatusSchema } from './update-schemas.ts';

export const topicRoot = 'lockers/v1';

interface TopicSpec<S extends z.ZodType> {
  suffix: string;
  from: 'device' | 'fleet';
  qos: 0 | 1;
  retain: boolean;
  schema: S;
}

/** Every topic under `lockers/v1/{lockerId}/`, with who publishes it and what it carries. */
export const topicMap = {
  status: { suffix: 'status', from: 'device', qos: 1, retain: true, schema: presenceSchema },
  events: { suffix: 'events', from: 'device', qos: 1, retain: false, schema: lockerEventSchema },
  syncState: { suffix: 'sync', from: 'device', qos: 1, retain: false, schema: syncStateSchema },
  commandResults: {
    suffix: 'commands/result',
    from: 'device',
    qos: 1,
    retain: false,
    schema: commandResultSchema,
  },
  telemetry: { suffix: 'telemetry', from: 'device', qos: 0, retain: false, schema: telemetrySchema },
  reservations: {
    suffix: 'reservations',
    from: 'fleet',
    qos: 1,
    retain: false,
    schema: reservationChangeSchema,
  },
  commands: { suffix: 'commands', from: 'fleet', qos: 1, retain: false, schema: commandSchema },
  eventsAck: { suffix: 'events/ack', from: 'fleet', qos: 1, retain: false, schema: eventsAckSchema },
  update: { suffix: 'update', from: 'fleet', qos: 1, retain: false, schema: updateCommandSchema },
  updateStatus: {
    suffix: 'update/status',
    from: 'device',
    qos: 1,
    retain: false,
    schema: updateStatusSchema,
  },
} as const satisfies Record<string, TopicSpec<z.ZodType>>;

export type TopicName = keyof typeof topicMap;
export type TopicPayload<N extends TopicName> = z.output<(typeof topicMap)[N]['schema']>;

const lockerIdPattern = /^[a-z0-9-]{1,64}$/;

export class TopicError extends Error {
  override readonly name = 'TopicError';
  constructor(
    readonly code:
      | 'TOPIC_BAD_LOCKER_ID'
      | 'TOPIC_UNKNOWN'
      | 'TOPIC_NOT_OURS'
      | 'PAYLOAD_NOT_JSON'
      | 'PAYLOAD_INVALID',
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** The concrete topic; refuses ids that would make a wildcard or another level. */
export function topicFor(name: TopicName, lockerId: string): string {
  if (!lockerIdPattern.test(lockerId))
    throw new TopicError('TOPIC_BAD_LOCKER_ID', `locker id "${lockerId}" must be 1–64 of a-z, 0-9 and -`);
  return `${topicRoot}/${lockerId}/${topicMap[name].suffix}`;
}

/** The filter a subscriber uses for one topic name of every locker. */
export function topicFilterAll(name: TopicName): string {
  return `${topicRoot}/+/${topicMap[name].suffix}`;
}

export function parseTopic(topic: string): { lockerId: string; name: TopicName } | undefined {
  const prefix = `${topicRoot}/`;
  if (!topic.startsWith(prefix)) return undefined;
  const rest = topic.slice(prefix.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return undefined;
  const lockerId = rest.slice(0, slash);
  const suffix = rest.slice(slash + 1);
  if (!lockerIdPattern.test(lockerId)) return undefined;
  const name = (Object.keys(topicMap) as TopicName[]).find((n) => topicMap[n].suffix === suffix);
  return name ? { lockerId, name } : undefined;
}

/** Parses a payload for a topic name; throws {@link TopicError} naming what is wrong. */
export function decodePayload<N extends TopicName>(name: N, payload: Buffer | string): TopicPayload<N> {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    throw new TopicError('PAYLOAD_NOT_JSON', `${name}: payload is not JSON`);
  }
  const parsed = topicMap[name].schema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TopicError('PAYLOAD_INVALID', `${name}: ${problems.join('; ')}`);
  }
  return parsed.data as TopicPayload<N>;
}

/** Validates before sending: a device never publishes what the fleet would reject. */
export function encodePayload<N extends TopicName>(
  name: N,
  payload: z.input<(typeof topicMap)[N]['schema']>,
): string {
  const parsed = topicMap[name].schema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new TopicError('PAYLOAD_INVALID', `${name}: ${problems.join('; ')}`);
  }
  return JSON.stringify(parsed.data);
}
