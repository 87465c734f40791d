export * from './codes/index.ts';
export * from './lockboard/index.ts';
export * from './mqtt/index.ts';
export * from './release/index.ts';
