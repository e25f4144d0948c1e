export * from './event-bus.js';
export * from './stats.js';
export * from './clock.js';
export * from './events.js';
