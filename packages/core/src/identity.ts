/*
 * Identities: every allocator and wrapper instance gets one when it is made (BRIEF §5, after
 * liballocs issue #21). Never a static table: the identity is created with the instance, carries
 * the parameters it was made with, and knows its parent once the instance is wrapped.
 *
 * Invariant: ids are unique in a thread and increase in creation order.
 */

import type { Identity } from './api.js';

let nextId = 1;

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
    this.id = nextId++;
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
