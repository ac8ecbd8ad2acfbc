/*
 * Identities: every allocator and wrapper instance gets one when it is made (after
 * liballocs, which gives allocators a run-time identity). Never a static table: the identity is created with the instance, carries
 * the parameters it was made with, and knows its parent once the instance is wrapped.
 *
 * Beside the identity itself this file keeps the link from an identity back to its instance
 * (a WeakMap, so identities of dropped allocators are collected): `whoOwns` climbs from the leaf
 * allocator through `parent` and asks each instance on the way for what it recorded (a site).
 *
 * Invariants: ids are unique in a thread and increase in creation order — even when two copies
 * of core are loaded (its build and a custom allocator's module imported through tsx), since the
 * counter and the instance map live on globalThis under a registered symbol; `parent` chains are
 * acyclic (setParent refuses a cycle); an identity is bound to at most one instance.
 */

import type { Allocator, Identity, Mapping } from './api.js';
import type { AddressSpace } from './space/address-space.js';

interface SharedState {
  nextId: number;
  instances: WeakMap<Identity, Allocator>;
}
const SHARED = Symbol.for('@heaplab/core:identities');
const shared: SharedState = ((globalThis as Record<symbol, SharedState | undefined>)[SHARED] ??= { nextId: 1, instances: new WeakMap() });

/** What a new identity is made from. */
export interface IdentityInit {
  name: string;
  family: string;
  parameters?: Record<string, unknown>;
  description: string;
  parent?: Identity | null;
}

class InstanceIdentity implements Identity {
  readonly id: number;
  readonly name: string;
  readonly family: string;
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly description: string;
  parent: Identity | null;

  constructor(init: IdentityInit) {
    this.id = shared.nextId++;
    this.name = init.name;
    this.family = init.family;
    this.parameters = Object.freeze({ ...(init.parameters ?? {}) });
    this.description = init.description;
    this.parent = init.parent ?? null;
  }

  get label(): string {
    return `${this.name}#${this.id}`;
  }

  toJSON(): Record<string, unknown> {
    return {
      id: this.id,
      name: this.name,
      label: this.label,
      family: this.family,
      parameters: this.parameters,
      description: this.description,
      parent: this.parent ? this.parent.label : null,
    };
  }
}

/** Makes the identity of a new allocator or wrapper instance. */
export function createIdentity(init: IdentityInit): Identity {
  if (!init.name || /\s/.test(init.name)) throw new TypeError(`identity name must be a non-empty word, got "${init.name}"`);
  return new InstanceIdentity(init);
}

/** The chain from an identity up through its parents (itself first). */
export function identityChain(identity: Identity): Identity[] {
  const out: Identity[] = [];
  for (let i: Identity | null = identity; i; i = i.parent) out.push(i);
  return out;
}

/** Sets `child.parent = parent`, refusing a cycle (a wrapper wrapping something above itself). */
export function setParent(child: Identity, parent: Identity | null): void {
  for (let i: Identity | null = parent; i; i = i.parent) {
    if (i === child) throw new TypeError(`${parent!.label} cannot be the parent of ${child.label}: it sits under it`);
  }
  child.parent = parent;
}

const instances = shared.instances;

/** Records which instance an identity belongs to (allocators and wrappers call it when made). */
export function bindInstance(identity: Identity, instance: Allocator): void {
  const known = instances.get(identity);
  if (known !== undefined && known !== instance) throw new TypeError(`identity ${identity.label} is already bound to another instance`);
  instances.set(identity, instance);
}

/** The instance an identity belongs to, in this thread, or null. */
export function instanceOf(identity: Identity): Allocator | null {
  return instances.get(identity) ?? null;
}

/** An identity as plain data, with the mappings it owns in a space: what `heaplab list` prints. */
export interface IdentityRecord {
  id: number;
  label: string;
  name: string;
  family: string;
  parameters: Record<string, unknown>;
  description: string;
  parent: string | null;
  /** The mappings the instance owns in the space given (empty without one). */
  mappings: Mapping[];
}

/** Describes an identity, listing the mappings it owns in `space` when one is given. */
export function describeIdentity(identity: Identity, space?: AddressSpace): IdentityRecord {
  return {
    id: identity.id,
    label: identity.label,
    name: identity.name,
    family: identity.family,
    parameters: { ...identity.parameters },
    description: identity.description,
    parent: identity.parent ? identity.parent.label : null,
    mappings: space ? space.mappingsOf(identity) : [],
  };
}
