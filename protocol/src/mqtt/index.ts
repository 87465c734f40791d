export * from './mqtt-client-port.ts';
export * from './payload-schemas.ts';
export * from './reconnect-backoff.ts';
export * from './topic-map.ts';
export * from './topic-router.ts';
export * from './update-schemas.ts';
