/**
 * @pbx/registrar: the location service (Kamailio usrloc) and the registrar
 * (Kamailio registrar) — save/lookup/registered/unregister, Path, GRUU,
 * outbound (registrar side), expiry and the usrloc persistence modes.
 * Framework-free; the server wires it.
 */
export * from './config.js';
export { REGISTRAR_ERRORS, RegistrarError } from './errors.js';
export type { RegistrarErrorCode, RegistrarErrorInfo, RegistrarErrorExtra } from './errors.js';
export { Binding, FL_MEM, bindingJson, formatSocket, splitPath } from './binding.js';
export type { BindingInit, BindingJson } from './binding.js';
export { aorOf, tryAor, aorKeyOf, splitAorKey } from './aor.js';
export type { Aor, AorOptions } from './aor.js';
export { contactExpires } from './expires.js';
export { methodBit, methodMask, methodNames, allowsMethod, METHOD_OTHER } from './methods.js';
export { RuidGenerator, pubGruu, tempGruu, gruuTarget, instanceUrn } from './gruu.js';
export type { GruuTarget } from './gruu.js';
export { Location, nodeTimers } from './location.js';
export type { LocationOptions, RegistrationChange, ChangeReason, BindingChanges, Timers } from './location.js';
export type { LocationStore, WriteBatch, LocationQuery, LocationPage } from './location-store.js';
export { MemoryLocationStore } from './memory-location-store.js';
export { PgLocationStore } from './pg-location-store.js';
export type { PgQuery, PgLocationStoreOptions } from './pg-location-store.js';
export { Registrar } from './registrar.js';
export type { RegistrarOptions, SaveResult, SaveOutcome, RegisteredMatch } from './registrar.js';
export { LIMITS, hopOf, parseSocket } from './register-request.js';
export type { SaveOptions } from './register-request.js';
export type { LookupResult, LookupTarget, LookupOptions, Destination } from './lookup.js';
