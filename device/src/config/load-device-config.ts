import { loadConfigFile, parseConfigText } from '@locker/node-kit';
import { type DeviceConfig, deviceConfigSchema } from './device-config.ts';

export function parseDeviceConfig(text: string, source: string): DeviceConfig {
  return parseConfigText(deviceConfigSchema, text, source);
}

export function loadDeviceConfig(path: string): DeviceConfig {
  return loadConfigFile(deviceConfigSchema, path);
}
