export * from './code-formats.ts';
export * from './code-hash.ts';
