export * from './board-lock-bus.ts';
export * from './boards/index.ts';
export * from './link/port-opener.ts';
export * from './lock-bus.ts';
export * from './lock-bus-config.ts';
export * from './lock-bus-error.ts';
