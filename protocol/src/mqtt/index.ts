export * from './payload-schemas.ts';
export * from './topic-map.ts';
