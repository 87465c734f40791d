export { LockerRig, type RigOptions } from './locker-rig.ts';
