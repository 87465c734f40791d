export { launchChromium, seriousViolations } from './headless-browser.ts';
export { LockerRig, type RigOptions } from './locker-rig.ts';
