/** The device's audit hash, for tests that rewrite or extend a locker's audit log. */
export { auditHash } from '@locker/device';
export { rewriteAuditLog } from './audit-rewrite.ts';
export { LockerRig, type RigOptions, rigAuditKey, rigCodeKey } from './locker-rig.ts';
export { TestBroker } from './test-broker.ts';
export { TestClock } from './test-clock.ts';
