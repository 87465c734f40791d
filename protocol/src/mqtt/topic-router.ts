import {
  decodePayload,
  parseTopic,
  TopicError,
  type TopicName,
  type TopicPayload,
  topicMap,
} from './topic-map.ts';

const senders = { device: 'a locker', fleet: 'the fleet' } as const;

/** One message from the other side: whose topic, which kind, its payload parsed by the kind's schema. */
export type RoutedMessage<N extends TopicName = TopicName> = {
  [K in N]: { name: K; lockerId: string; payload: TopicPayload<K> };
}[N];

/** A handler per kind this side receives; a handler throws {@link TopicError} to reject what it finds wrong. */
export type TopicHandlers<N extends TopicName> = {
  [K in N]: (message: RoutedMessage<K>) => void | Promise<void>;
};

/** The part of a pino logger the router needs. */
export interface RouterLogger {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TopicRouterOptions {
  /** Who publishes what this side receives: `fleet` on the device, `device` on the fleet. */
  from: 'device' | 'fleet';
  /** Whose topics are taken: the device only its own, the fleet every provisioned locker. */
  lockerAllowed: (lockerId: string) => boolean;
  logger: RouterLogger;
}

export interface TopicRouterCounters {
  routed: number;
  rejected: number;
}

/**
 * Maps an MQTT topic to (locker id, message kind), validates the payload with the kind's schema,
 * and hands it to that kind's handler. Everything refused — a topic that is not ours or not for
 * this side, a payload that does not parse, an event of another locker on this locker's topic, or
 * a handler's own {@link TopicError} — goes through one path: counted, logged, nothing applied,
 * never thrown back into the MQTT client.
 */
export class TopicRouter<N extends TopicName> {
  readonly counters: TopicRouterCounters = { routed: 0, rejected: 0 };

  constructor(
    private readonly options: TopicRouterOptions,
    private readonly handlers: TopicHandlers<N>,
  ) {}

  /**
   * Parses and hands on one message. Returns the handler's promise (already caught) when it is
   * asynchronous; a synchronous handler has finished when this returns (the fleet relies on it:
   * its PUBACK goes out after the event is committed).
   */
  dispatch(topic: string, payload: Buffer | string): Promise<void> | undefined {
    let message: RoutedMessage<N>;
    try {
      message = this.parse(topic, payload);
    } catch (error) {
      this.failed(topic, error);
      return undefined;
    }
    this.counters.routed++;
    try {
      const handled = this.handlerFor(message)(message);
      return handled ? handled.catch((error: unknown) => this.failed(topic, error)) : undefined;
    } catch (error) {
      this.failed(topic, error);
      return undefined;
    }
  }

  /** (locker id, kind, payload) of a message, or the {@link TopicError} that refuses it. */
  parse(topic: string, payload: Buffer | string): RoutedMessage<N> {
    const parsed = parseTopic(topic);
    if (!parsed) throw new TopicError('TOPIC_UNKNOWN', `${topic} is not a topic of the map`);
    const { lockerId, name } = parsed;
    if (topicMap[name].from !== this.options.from || !this.accepts(name))
      throw new TopicError('TOPIC_UNKNOWN', `${topic} is not received on this side`);
    if (!this.options.lockerAllowed(lockerId))
      throw new TopicError('TOPIC_NOT_OURS', `${topic}: locker ${lockerId} is not one this side serves`);
    const body = decodePayload(name, payload);
    if ('lockerId' in body && body.lockerId !== lockerId)
      throw new TopicError('PAYLOAD_INVALID', `${name}: lockerId ${body.lockerId} on ${lockerId}'s topic`);
    return { name, lockerId, payload: body } as RoutedMessage<N>;
  }

  private accepts(name: TopicName): name is N {
    return Object.hasOwn(this.handlers, name);
  }

  private handlerFor(message: RoutedMessage<N>): (message: RoutedMessage<N>) => void | Promise<void> {
    return this.handlers[message.name] as (message: RoutedMessage<N>) => void | Promise<void>;
  }

  private failed(topic: string, error: unknown): void {
    if (error instanceof TopicError) {
      this.counters.rejected++;
      this.options.logger.warn(
        { topic, code: error.code, problem: error.message },
        `rejected an invalid message from ${senders[this.options.from]}; nothing applied`,
      );
    } else
      this.options.logger.error(
        { topic, err: error },
        `handling a message from ${senders[this.options.from]} failed`,
      );
  }
}
