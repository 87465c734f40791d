export { type SecretRef, secretRefSchema } from './config/device-config.ts';
export { ConfigError, loadConfigFile, readSecret } from './config/load-config.ts';
export * from './lockbus/index.ts';
export { type Migration, MigrationError, migrate } from './store/migrations.ts';
