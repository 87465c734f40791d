/**
 * The part of an MQTT.js client the device's and the fleet's sync use, so that both take a
 * factory and unit tests give them a fake (`FakeMqttClient`) instead of a broker.
 */
export interface MqttClientPort {
  readonly connected: boolean;
  on(event: 'connect', listener: (connack: { sessionPresent: boolean }) => void): unknown;
  on(event: 'message', listener: (topic: string, payload: Buffer) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'disconnect', listener: (packet: { reasonCode?: number | undefined }) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  off(event: 'connect' | 'close', listener: () => void): unknown;
  subscribeAsync(topics: string[], options: { qos: 0 | 1 }): Promise<unknown>;
  publishAsync(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
  ): Promise<unknown>;
  publish(
    topic: string,
    payload: string | Buffer,
    options: { qos: 0 | 1; retain?: boolean },
    callback?: (error?: Error) => void,
  ): unknown;
  /** The id the next QoS 1 publish gets: with `removeOutgoingMessage`, a command is taken back. */
  getLastMessageId(): number;
  removeOutgoingMessage(messageId: number): unknown;
  reconnect(): unknown;
  endAsync(force?: boolean): Promise<void>;
}
