import mqtt, { type MqttClient } from 'mqtt';

/** A plain MQTT client with the given identity, connected or rejected: what tests try ACLs with. */
export function connectProbe(
  url: string,
  username: string,
  password: string,
  clientId: string,
): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    username,
    password,
    clientId,
    reconnectPeriod: 0,
    connectTimeout: 3000,
  });
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve(client));
    client.once('error', (error) => {
      client.end(true);
      reject(error);
    });
  });
}

/** True from the moment the client's connection closed (the broker closed it, or the client ended). */
export function closedFlag(client: MqttClient): () => boolean {
  let closed = false;
  client.once('close', () => {
    closed = true;
  });
  return () => closed;
}
