/*
 * @heaplab/core public surface: re-exports only.
 */
export * from './api.js';
export * from './errors.js';
export { AddressSpace, createAddressSpace, attachAddressSpace } from './space/address-space.js';
export { formatMaps } from './space/maps.js';
export { createIdentity, identityChain, type IdentityInit } from './identity.js';
export { AllocatorBase, type HeapFigures } from './allocator/base.js';
export { MIN_ALIGN, alignUp, isAligned, checkSize, checkAlignment, checkPointer } from './allocator/validate.js';
export * from './trace/index.js';
export * from './replay/index.js';
