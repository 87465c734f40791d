export { DurableImage, haveCompiler } from './durable-image.ts';
export { FleetProcess, freePort, processSecret } from './fleet-process.ts';
export {
  createTestFleet,
  inSync,
  rigMasterKey,
  rigServicePassword,
  startLockerAt,
  until,
} from './fleet-rig.ts';
export { MosquittoBroker } from './mosquitto.ts';
export { closedFlag, connectProbe } from './mqtt-probe.ts';
export { SmtpCapture } from './smtp-capture.ts';
