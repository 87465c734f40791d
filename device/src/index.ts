export type { CompartmentAnswer, InstallerPrompt } from './commissioning/installer-prompt.ts';
export type { DeviceConfigInput } from './config/device-config.ts';
export { loadDeviceConfig } from './config/load-device-config.ts';
export { SoftCabinetIo } from './gpio/cabinet-io.ts';
export * from './lockbus/index.ts';
export type { Clock } from './runtime/clock.ts';
export { Device, type DeviceDeps } from './runtime/device.ts';
export type { SpeechOutput } from './speech/speech-output.ts';
export { type AuditEntry, auditGenesisHash, auditHash } from './store/audit-chain.ts';
