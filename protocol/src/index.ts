export * from './lockboard/index.ts';
