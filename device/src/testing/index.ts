export { auditHash, unkeyedAuditHash } from '../store/audit-chain.ts';
export { rewriteAuditLog } from './audit-rewrite.ts';
export { launchChromium, seriousViolations } from './headless-browser.ts';
export { LockerRig, type RigOptions, rigAuditKey } from './locker-rig.ts';
