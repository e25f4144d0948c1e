/**
 * Test material shared with the wire tests in test/ (`@pbx/sip/testing`):
 * what the parser must do with each RFC 4475 / RFC 5118 torture message, so
 * the server over a real socket is held to the same list as parseMessage.
 */
export { RFC4475, RFC5118, type TortureCase } from './message/torture-expectations.js';
