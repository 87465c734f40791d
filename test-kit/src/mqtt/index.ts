export * from './fake-mqtt-client.ts';
