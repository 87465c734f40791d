export * from './audit-chain.ts';
export * from './audit-log.ts';
export * from './device-store.ts';
export * from './migrations.ts';
export * from './outbox.ts';
export * from './sqlite-outbox.ts';
export * from './store-error.ts';
export * from './store-types.ts';
