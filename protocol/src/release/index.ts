export * from './file-digest.ts';
export * from './release-key.ts';
export * from './release-manifest.ts';
export * from './release-signing.ts';
