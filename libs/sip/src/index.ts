export * from './config.js';
export * from './message/index.js';
export * from './transport/index.js';
export * from './auth/index.js';
