export * from './lockbus/index.ts';
