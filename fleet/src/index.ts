export { type FleetConfig, type FleetConfigInput, fleetConfigSchema } from './config/fleet-config.ts';
export { Fleet } from './fleet.ts';
