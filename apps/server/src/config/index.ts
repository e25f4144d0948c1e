export * from './schema.js';
export * from './env.js';
export * from './load-config.js';
export * from './redact.js';
export * from './config-docs.js';
