/** The studio's storage layer: one dexie database ("studio") and plain async repository functions. */
export * from './schema';
export * from './errors';
export * from './datasets';
export * from './examples';
export * from './dedupe';
export * from './stats';
export * from './split';
export * from './text';
