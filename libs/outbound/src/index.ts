export * from './config.js';
export * from './edge-errors.js';
export * from './flow.js';
export * from './flow-address.js';
export * from './flow-table.js';
export * from './flow-token.js';
export * from './ip-bytes.js';
export * from './stun.js';
export type { FlowView } from './flow-view.js';
