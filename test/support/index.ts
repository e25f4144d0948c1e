export * from './server.js';
export * from './postgres.js';
export * from './sip-client.js';
