export { ConfigError, loadConfigFile, parseConfigText } from './config/config-file.ts';
export { readSecret, type SecretRef, secretRefSchema } from './config/secret-ref.ts';
export { type EventStream, type HijackableReply, openEventStream, sseDefaults } from './http/sse.ts';
export { type Migration, MigrationError, migrate } from './sqlite/migrate.ts';
export { openSqlite } from './sqlite/open-sqlite.ts';
