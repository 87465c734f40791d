import type { EmbeddedBroker } from './broker/embedded-broker.ts';
import type { MetricSource } from './http/metrics.ts';
import type { NotificationDispatcher } from './notify/notification-dispatcher.ts';
import type { AuditChainWatch } from './services/audit-chain-watch.ts';
import type { AuditHeadWatch } from './services/audit-head-watch.ts';
import type { FleetStore } from './store/fleet-store.ts';
import type { FleetLink } from './sync/fleet-link.ts';

/** What the fleet exposes on /metrics: lockers, events, notifications, the audit chain and the embedded broker. */
export function fleetMetrics(parts: {
  store: FleetStore;
  link: FleetLink;
  notifications: NotificationDispatcher;
  auditChain: AuditChainWatch;
  auditHeads: AuditHeadWatch;
  /** The embedded broker's own counters; none with an external broker. */
  broker: EmbeddedBroker | undefined;
}): MetricSource[] {
  const { store, link, notifications, auditChain, auditHeads, broker } = parts;
  const own: MetricSource[] = [
    {
      name: 'fleet_lockers',
      type: 'gauge',
      help: 'Provisioned lockers',
      value: () => store.lockers.list('all').length,
    },
    {
      name: 'fleet_lockers_online',
      type: 'gauge',
      help: 'Lockers whose presence is online',
      value: () => store.lockers.list('all').filter((l) => l.online).length,
    },
    {
      name: 'fleet_reservations',
      type: 'gauge',
      help: 'Reservations in the store',
      value: () => store.reservations.count(),
    },
    {
      name: 'fleet_audit_intact',
      type: 'gauge',
      help: 'The fleet audit chain verifies (1) or not (0)',
      value: () => (auditChain.verdict?.intact === false ? 0 : 1),
    },
    {
      name: 'fleet_locker_audit_forks_total',
      type: 'counter',
      help: 'Locker audit heads that did not extend the last one',
      value: () => auditHeads.counters.forks,
    },
    {
      name: 'fleet_events_applied_total',
      type: 'counter',
      help: 'Locker events applied',
      value: () => link.counters.eventsApplied,
    },
    {
      name: 'fleet_events_duplicate_total',
      type: 'counter',
      help: 'Locker events redelivered and ignored',
      value: () => link.counters.eventsDuplicate,
    },
    {
      name: 'fleet_mqtt_rejected_messages_total',
      type: 'counter',
      help: 'Invalid MQTT messages from lockers',
      value: () => link.counters.rejectedMessages,
    },
    {
      name: 'fleet_changes_sent_total',
      type: 'counter',
      help: 'Reservation changes published',
      value: () => link.counters.changesSent,
    },
    {
      name: 'fleet_notifications_sent_total',
      type: 'counter',
      help: 'Messages sent to citizens',
      value: () => notifications.counters.sent,
    },
    {
      name: 'fleet_notifications_failed_attempts_total',
      type: 'counter',
      help: 'Failed message attempts',
      value: () => notifications.counters.failedAttempts,
    },
    {
      name: 'fleet_notifications_given_up_total',
      type: 'counter',
      help: 'Messages given up after retries',
      value: () => notifications.counters.givenUp,
    },
  ];
  if (!broker) return own;
  return [
    ...own,
    {
      name: 'fleet_broker_connections_total',
      type: 'counter',
      help: 'Accepted MQTT logins',
      value: () => broker.counters.connections,
    },
    {
      name: 'fleet_broker_open_sockets',
      type: 'gauge',
      help: 'MQTT sockets open now (TCP and TLS)',
      value: () => broker.openSockets,
    },
    {
      name: 'fleet_broker_refused_connections_total',
      type: 'counter',
      help: 'MQTT sockets closed at accept: total or per-address limit reached',
      value: () => broker.counters.refusedConnections,
    },
    {
      name: 'fleet_broker_oversized_packets_total',
      type: 'counter',
      help: 'MQTT sockets closed for a packet over the size limit',
      value: () => broker.counters.oversizedPackets,
    },
    {
      name: 'fleet_broker_refused_logins_total',
      type: 'counter',
      help: 'Refused MQTT logins',
      value: () => broker.counters.refusedLogins,
    },
    {
      name: 'fleet_broker_refused_publishes_total',
      type: 'counter',
      help: 'Publishes refused by the topic ACL',
      value: () => broker.counters.refusedPublishes,
    },
    {
      name: 'fleet_broker_refused_subscribes_total',
      type: 'counter',
      help: 'Subscriptions refused by the topic ACL',
      value: () => broker.counters.refusedSubscribes,
    },
  ];
}
