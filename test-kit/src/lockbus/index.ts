export { type HarnessTransport, SimHarness, testTiming } from './sim-harness.ts';
