import { EventEmitter } from 'node:events';
import type { MqttClientPort } from '@locker/protocol';

export interface FakePublish {
  topic: string;
  payload: string;
  qos: 0 | 1;
  retain: boolean;
}

/**
 * An MQTT client without a broker, for unit tests of the device's and the fleet's sync: records
 * what is subscribed and published, and lets the test connect, drop and deliver messages.
 * Publishes resolve at once unless `holdPublishes` is set: then the broker never answers them.
 */
export class FakeMqttClient extends EventEmitter implements MqttClientPort {
  connected = false;
  ended = false;
  reconnects = 0;
  holdPublishes = false;
  readonly subscriptions: string[] = [];
  readonly published: FakePublish[] = [];

  /** The broker accepted the connection. */
  accept(sessionPresent = false): void {
    this.connected = true;
    this.emit('connect', { sessionPresent });
  }

  /** The connection was lost. */
  drop(): void {
    this.connected = false;
    this.emit('close');
  }

  /** A message arrives on a subscribed topic. */
  deliver(topic: string, payload: string | object): void {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    this.emit('message', topic, Buffer.from(text));
  }

  /** The payloads published on one topic, parsed. */
  sentOn(topic: string): unknown[] {
    return this.published.filter((p) => p.topic === topic).map((p) => JSON.parse(p.payload));
  }

  async subscribeAsync(topics: string[]): Promise<unknown> {
    this.subscriptions.push(...topics);
    return topics.map((topic) => ({ topic, qos: 1 }));
  }

  publishAsync(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
  ): Promise<unknown> {
    this.record(topic, payload, options);
    // a held publish is never answered, as one in flight when a connection is lost
    return this.holdPublishes ? new Promise(() => undefined) : Promise.resolve(undefined);
  }

  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
    callback?: (error?: Error) => void,
  ): this {
    this.record(topic, payload, options);
    callback?.();
    return this;
  }

  /** Publishes answer at once here, so nothing is ever left to take back. */
  getLastMessageId(): number {
    return this.published.length;
  }

  removeOutgoingMessage(): this {
    return this;
  }

  reconnect(): this {
    this.reconnects++;
    return this;
  }

  async endAsync(): Promise<void> {
    this.ended = true;
    this.connected = false;
  }

  private record(topic: string, payload: string | Buffer, options: { qos: 0 | 1; retain?: boolean }): void {
    this.published.push({
      topic,
      payload: payload.toString(),
      qos: options.qos,
      retain: options.retain ?? false,
    });
  }
}
