export type { Cu48VendorOptions } from './cu48-vendor-board.ts';
export { type OutcomeTally, type UnlockOutcome, VendorRig } from './vendor-rig.ts';
