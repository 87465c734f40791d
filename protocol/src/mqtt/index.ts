export * from './payload-schemas.ts';
export * from './reconnect-backoff.ts';
export * from './topic-map.ts';
export * from './update-schemas.ts';
