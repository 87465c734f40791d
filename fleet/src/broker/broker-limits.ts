/**
 * What one MQTT client may cost the embedded broker. An unauthenticated client gets the least:
 * a small first packet (CONNECT) sent in a short time; the rest is per identity and per address.
 */
export interface BrokerLimits {
  /** Time from TCP accept to a complete CONNECT before the broker closes the socket (aedes `connectTimeout`). */
  connectTimeoutMs: number;
  /** Largest packet before login: a CONNECT with id, user, password and last will fits easily. */
  connectPacketBytes: number;
  /** Largest packet a logged-in locker may send (events, telemetry). */
  packetBytes: number;
  /** Largest packet the fleet's own client may send (reservation snapshots). */
  servicePacketBytes: number;
  /** Open sockets in total, TCP and TLS together. */
  connections: number;
  /** Open sockets from one address: a municipality's lockers may share one behind NAT. */
  connectionsPerAddress: number;
}

export const defaultBrokerLimits: BrokerLimits = {
  connectTimeoutMs: 10_000,
  connectPacketBytes: 8 * 1024,
  packetBytes: 256 * 1024,
  servicePacketBytes: 16 * 1024 * 1024,
  connections: 5000,
  connectionsPerAddress: 100,
};
