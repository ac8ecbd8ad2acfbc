/*
 * Loading configuration: heaplab.config.json, then HEAPLAB_ variables merged over it
 * (the environment wins), matched against the schema. Loading is async (custom allocator modules
 * are imported); everything after it — resolving allocators by token — is synchronous.
 *
 * Steps of loadConfig:
 *   1. find and parse the file (jsonc-parser: comments allowed; each key keeps its line);
 *   2. place every HEAPLAB_ variable at its key path (env.ts), remembering its source;
 *      parameters of allocators and wrappers wait until their strategy is known;
 *   3. validate the settings sections and the file's structure (schema.ts);
 *   4. import each custom allocator's module (path relative to the file; .ts through tsx's
 *      process-wide hooks, so the module shares this copy of core) and
 *      check it exports an allocator strategy;
 *   5. place the waiting parameter variables, validate every allocator's and wrapper's
 *      parameters against its strategy's schema, check `default` and `wrappers` name known ones.
 * Every failure is a ConfigError naming the key, its source (file:line or variable) and what
 * was expected. `readSettings` does steps 1–3 synchronously for tools that need no allocator
 * (the fuzz kit's runs and seed).
 */

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError } from '../errors.js';
import { Registry, type WrapperLayer } from '../registry/registry.js';
import { isAllocatorStrategy, parameterSchema, type AllocatorStrategy, type Parameters } from '../registry/strategy.js';
import { coerce, configVariables, leafKind, matchKey, type EnvEntry } from './env.js';
import { issueError, keysAt, schemaAt } from './issues.js';
import { MODULE_KEYS, SETTINGS_DEFAULTS, fileSchema, type Settings } from './schema.js';
import { FileTree, pathText, sourceText, type Source } from './source.js';

/** Where configuration is read from. */
export interface LoadOptions {
  /** The file. Default: HEAPLAB_CONFIG, else heaplab.config.json in `cwd` or the nearest directory above it; none is fine. `null`: no file. */
  file?: string | null;
  /** Where the search starts. Default process.cwd(). */
  cwd?: string;
  /** The environment. Default process.env. */
  env?: Record<string, string | undefined>;
  /** The strategies known before loading (built-in allocators). Default: core's wrappers only. Custom modules are added to it. */
  registry?: Registry;
}

/** One value of the merged configuration and where it came from. */
export interface ConfigEntry {
  path: string;
  value: unknown;
  source: Source;
}

/** An allocator as configured. */
export interface AllocatorSection {
  name: string;
  strategy: AllocatorStrategy;
  /** `built-in`, a package, or the module path. */
  origin: string;
  /** Parameters from the file and the environment (over the strategy's defaults). */
  parameters: Parameters;
}

type Path = (string | number)[];
const FILE_NAME = 'heaplab.config.json';

/** The configuration file that applies: an explicit one, HEAPLAB_CONFIG, or the nearest heaplab.config.json up from cwd; null when none. */
export function findConfigFile(options: Pick<LoadOptions, 'file' | 'cwd' | 'env'> = {}): string | null {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (options.file === null) return null;
  const explicit = options.file ?? (options.env ?? process.env).HEAPLAB_CONFIG;
  if (explicit) {
    const f = resolve(cwd, explicit);
    const source = options.file ? 'the file option' : 'environment variable HEAPLAB_CONFIG';
    if (!existsSync(f)) throw new ConfigError('(file)', source, `an existing configuration file, got ${f}`);
    if (statSync(f).isDirectory()) {
      const inside = join(f, FILE_NAME);
      throw new ConfigError('(file)', source, `a configuration file, got the directory ${f}${existsSync(inside) ? `; name the file in it: ${inside}` : ` (it holds no ${FILE_NAME})`}`);
    }
    return f;
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    const f = join(dir, FILE_NAME);
    if (existsSync(f)) return f;
    if (dirname(dir) === dir) return null;
  }
}

/** The file's text; a file that cannot be read is a ConfigError naming it and why. */
function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new ConfigError('(file)', file, `a readable configuration file (${why})`);
  }
}

/** The merged configuration. Immutable once loaded. */
export class HeaplabConfig {
  constructor(
    /** The file read, or null. */
    readonly file: string | null,
    /** `default`, or null when not configured. */
    readonly defaultName: string | null,
    readonly settings: Settings,
    readonly allocators: ReadonlyMap<string, AllocatorSection>,
    /** The wrapper stack, outermost first, with parameters. */
    readonly wrappers: readonly WrapperLayer[],
    /** Parameters of every wrapper configured in wrapperOptions. */
    readonly wrapperOptions: ReadonlyMap<string, Parameters>,
    /** The registry the configuration was checked against (custom allocators added). */
    readonly registry: Registry,
    private readonly sources: ReadonlyMap<string, Source>,
  ) {}

  /** The source of a key path ('default' when nothing set it). */
  sourceOf(path: string): Source {
    for (let p = path; p !== ''; p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '') {
      const s = this.sources.get(p);
      if (s) return s;
    }
    return { kind: 'default' };
  }

  /** Parameters an allocator is made with from this configuration (over its registered ones). */
  parametersOf(name: string): Parameters {
    return this.allocators.get(name)?.parameters ?? {};
  }

  /** Every value, defaults included, with its source: what `heaplab config` prints. */
  entries(): ConfigEntry[] {
    const out: ConfigEntry[] = [];
    const add = (path: string, value: unknown): void => {
      out.push({ path, value, source: this.sourceOf(path) });
    };
    add('default', this.defaultName);
    for (const section of ['space', 'fuzz', 'bench'] as const) {
      for (const [k, v] of Object.entries(this.settings[section])) add(`${section}.${k}`, v);
    }
    for (const e of this.registry.allocators()) {
      const name = e.strategy.name;
      const section = this.allocators.get(name);
      if (e.origin !== 'built-in' && !e.origin.startsWith('@') && section) add(`allocators.${name}.module`, e.origin);
      const params = { ...(e.strategy.defaults as Parameters), ...e.parameters, ...(section?.parameters ?? {}) };
      for (const [k, v] of Object.entries(params)) add(`allocators.${name}.${k}`, v);
    }
    add('wrappers', this.wrappers.map((w) => w.name));
    for (const [name, params] of this.wrapperOptions) for (const [k, v] of Object.entries(params)) add(`wrapperOptions.${name}.${k}`, v);
    return out;
  }
}

/** The state of one load. */
class Loader {
  readonly tree: FileTree | null;
  readonly merged: Record<string, unknown>;
  readonly sources = new Map<string, Source>();
  readonly waiting: { entry: EnvEntry; section: 'allocators' | 'wrapperOptions'; name: string; segment: string }[] = [];

  constructor(
    readonly file: string | null,
    readonly env: Record<string, string | undefined>,
    readonly registry: Registry,
  ) {
    this.tree = file ? FileTree.parse(file, readConfigText(file)) : null;
    this.merged = structuredClone((this.tree?.value ?? {}) as Record<string, unknown>);
  }

  /** The source of a path: the variable that set it or a parent of it, else its line in the file, else the default. */
  sourceFor = (path: Path): string => sourceText(this.source(path));

  source(path: Path): Source {
    for (let n = path.length; n > 0; n--) {
      const s = this.sources.get(pathText(path.slice(0, n)));
      if (s?.kind === 'env') return s;
    }
    return this.tree?.sourceOf(path) ?? { kind: 'default' };
  }

  fail(path: Path, expected: string): never {
    throw new ConfigError(pathText(path), this.sourceFor(path), expected);
  }

  private section(key: string): Record<string, unknown> {
    const v = this.merged[key];
    if (v === undefined) return (this.merged[key] = {}) as Record<string, unknown>;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) this.fail([key], `an object, got ${JSON.stringify(v)}`);
    return v as Record<string, unknown>;
  }

  set(path: string[], value: unknown, entry: EnvEntry): void {
    let o: Record<string, unknown> = this.merged;
    for (let k = 0; k < path.length - 1; k++) {
      const seg = path[k]!;
      const next = o[seg];
      if (next === undefined || next === null || typeof next !== 'object' || Array.isArray(next)) o[seg] = {};
      o = o[seg] as Record<string, unknown>;
    }
    o[path[path.length - 1]!] = value;
    this.sources.set(pathText(path), { kind: 'env', variable: entry.variable });
  }

  /** Step 2: every variable at its path (parameters wait for their strategy). */
  placeVariables(): void {
    const top = keysAt(fileSchema, []).filter((k) => k !== '$schema');
    for (const e of configVariables(this.env)) {
      const [first, second, third, ...rest] = e.segments;
      const where = e.segments.map((s) => s.toLowerCase()).join('.');
      const key = matchKey(first!, top);
      const unknown = (expected: string): ConfigError => new ConfigError(where, `environment variable ${e.variable}`, expected);
      if (!key) throw unknown(`a configuration key: ${top.map((k) => `HEAPLAB_${k.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`).join(', ')} (then __ and the key path)`);
      if (key === 'default' || key === 'wrappers') {
        if (second !== undefined) throw unknown(`no key under ${key}: use HEAPLAB_${first}`);
        this.set([key], coerce(e.raw, leafKind(schemaAt(fileSchema, [key]))), e);
      } else if (key === 'space' || key === 'fuzz' || key === 'bench') {
        const keys = keysAt(fileSchema, [key]);
        const k2 = second === undefined ? null : matchKey(second, keys);
        if (!k2 || third !== undefined) throw unknown(`one of the keys ${keys.map((k) => `${key}.${k}`).join(', ')}`);
        this.set([key, k2], coerce(e.raw, leafKind(schemaAt(fileSchema, [key, k2]))), e);
      } else {
        const section = key as 'allocators' | 'wrapperOptions';
        if (second === undefined || third === undefined || rest.length > 0) throw unknown(`a variable naming ${section === 'allocators' ? 'an allocator' : 'a wrapper'} and one of its parameters, as HEAPLAB_${first}__<NAME>__<PARAMETER>`);
        const inFile = Object.keys((this.tree?.value as Record<string, Record<string, unknown>> | undefined)?.[section] ?? {});
        const known = section === 'allocators' ? this.registry.allocatorNames() : this.registry.wrapperNames();
        const name = matchKey(second, [...known, ...inFile]) ?? second.toLowerCase().replace(/_/g, '-');
        const modKey = section === 'allocators' ? matchKey(third, MODULE_KEYS) : null;
        if (modKey) this.set([section, name, modKey], e.raw, e);
        else this.waiting.push({ entry: e, section, name, segment: third });
      }
    }
  }

  /** Step 3: the structure and the settings sections. */
  validateStructure(): Settings {
    const r = fileSchema.safeParse(this.merged);
    if (!r.success) throw issueError(r.error.issues, fileSchema, this.merged, [], this.sourceFor);
    const m = r.data;
    return {
      space: { ...SETTINGS_DEFAULTS.space, ...m.space },
      fuzz: { ...SETTINGS_DEFAULTS.fuzz, ...m.fuzz },
      bench: { ...SETTINGS_DEFAULTS.bench, ...m.bench },
    };
  }

  /** Step 4: custom allocators' modules. */
  async importModules(): Promise<void> {
    const allocators = this.section('allocators') as Record<string, Record<string, unknown>>;
    for (const [name, sec] of Object.entries(allocators)) {
      const path = ['allocators', name];
      const mod = sec.module;
      if (mod === undefined) {
        if (!this.registry.get(name) || this.registry.get(name)!.strategy.kind !== 'allocator') {
          this.fail(path, `a registered allocator (${this.registry.allocatorNames().join(', ') || 'none'}) or an object with "module": the path of a custom allocator`);
        }
        continue;
      }
      if (typeof mod !== 'string' || mod === '') this.fail([...path, 'module'], `a module path (relative to the configuration file), got ${JSON.stringify(mod)}`);
      const known = this.registry.get(name);
      if (known && !isCustomOrigin(known.origin)) this.fail(path, `a name not taken by the built-in ${known.strategy.kind} ${name}`);
      const exportName = sec.export ?? 'strategy';
      if (typeof exportName !== 'string') this.fail([...path, 'export'], `the name of an export, got ${JSON.stringify(exportName)}`);
      const fromEnv = this.source([...path, 'module']).kind === 'env';
      const base = fromEnv || !this.file ? process.cwd() : dirname(this.file);
      const file = isAbsolute(mod) ? mod : resolve(base, mod);
      if (!existsSync(file)) this.fail([...path, 'module'], `a module that exists (relative to ${fromEnv || !this.file ? 'the working directory' : 'the configuration file'}), got ${mod} (${file})`);
      let ns: Record<string, unknown>;
      try {
        ns = await importModule(file);
      } catch (e) {
        this.fail([...path, 'module'], `a module that loads: ${mod} failed with ${(e as Error).message.split('\n')[0]}`);
      }
      const strategy = ns[exportName] ?? (exportName === 'strategy' ? ns.default : undefined);
      if (!isAllocatorStrategy(strategy)) {
        const exports = Object.keys(ns).join(', ') || 'nothing';
        this.fail([...path, 'module'], `a module exporting an allocator strategy as "${exportName}" (made with defineAllocator); ${mod} exports ${exports}`);
      }
      this.registry.add(strategy.name === name ? strategy : { ...strategy, name }, { origin: file });
    }
  }

  /** Step 5: parameters of allocators and wrappers, default and the stack. */
  validateStrategies(): { allocators: Map<string, AllocatorSection>; wrapperOptions: Map<string, Parameters>; wrappers: WrapperLayer[]; defaultName: string | null } {
    for (const w of this.waiting) {
      const entry = this.registry.get(w.name);
      const kind = w.section === 'allocators' ? 'allocator' : 'wrapper';
      const where = `${w.section}.${w.name}`;
      if (!entry || entry.strategy.kind !== kind) {
        const names = kind === 'allocator' ? this.registry.allocatorNames() : this.registry.wrapperNames();
        throw new ConfigError(where, `environment variable ${w.entry.variable}`, `a registered ${kind}: ${names.join(', ')}`);
      }
      const schema = parameterSchema(entry.strategy);
      const keys = Object.keys(entry.strategy.defaults as object);
      const key = matchKey(w.segment, kind === 'allocator' ? [...keys, ...MODULE_KEYS] : keys);
      if (!key) throw new ConfigError(`${where}.${w.segment.toLowerCase()}`, `environment variable ${w.entry.variable}`, `a parameter of ${w.name}: one of ${keys.join(', ') || '(none)'}`);
      this.set([w.section, w.name, key], MODULE_KEYS.includes(key as 'module') ? w.entry.raw : coerce(w.entry.raw, leafKind(schemaAt(schema, [key]))), w.entry);
    }
    const allocators = new Map<string, AllocatorSection>();
    for (const [name, sec] of Object.entries(this.section('allocators') as Record<string, Record<string, unknown>>)) {
      const entry = this.registry.get(name)!;
      const strategy = entry.strategy as AllocatorStrategy;
      const parameters: Parameters = { ...sec };
      for (const k of MODULE_KEYS) delete parameters[k];
      const schema = parameterSchema(strategy);
      const r = schema.safeParse(parameters);
      if (!r.success) throw issueError(r.error.issues, schema, parameters, ['allocators', name], this.sourceFor);
      allocators.set(name, { name, strategy, origin: entry.origin, parameters });
    }
    const wrapperOptions = new Map<string, Parameters>();
    for (const [name, params] of Object.entries(this.section('wrapperOptions') as Record<string, Parameters>)) {
      const entry = this.registry.get(name);
      if (!entry || entry.strategy.kind !== 'wrapper') this.fail(['wrapperOptions', name], `a registered wrapper: ${this.registry.wrapperNames().join(', ')}`);
      const schema = parameterSchema(entry.strategy);
      const r = schema.safeParse(params);
      if (!r.success) throw issueError(r.error.issues, schema, params, ['wrapperOptions', name], this.sourceFor);
      wrapperOptions.set(name, params);
    }
    const stack = (this.merged.wrappers as string[] | undefined) ?? [];
    const wrappers: WrapperLayer[] = [];
    stack.forEach((name, k) => {
      const entry = this.registry.get(name);
      if (!entry || entry.strategy.kind !== 'wrapper') this.fail(['wrappers', k], `a registered wrapper (${this.registry.wrapperNames().join(', ')}), got ${JSON.stringify(name)}`);
      wrappers.push({ name, parameters: wrapperOptions.get(name) ?? {} });
    });
    const defaultName = (this.merged.default as string | undefined) ?? null;
    if (defaultName !== null) {
      const e = this.registry.get(defaultName);
      if (!e || e.strategy.kind !== 'allocator') this.fail(['default'], `one of the allocators: ${this.registry.allocatorNames().join(', ') || '(none registered)'}, got ${JSON.stringify(defaultName)}`);
    }
    return { allocators, wrapperOptions, wrappers, defaultName };
  }

  fileSources(): void {
    // Record the file line of every leaf, so entries() can show it.
    const walk = (v: unknown, path: string[]): void => {
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
        return;
      }
      const key = pathText(path);
      if (!this.sources.has(key)) {
        const s = this.tree?.sourceOf(path);
        if (s) this.sources.set(key, s);
      }
    };
    walk(this.tree?.value, []);
  }
}

function isCustomOrigin(origin: string): boolean {
  return origin.startsWith('/') || /^[A-Za-z]:[\\/]/.test(origin);
}

let tsxRegistered: Promise<void> | null = null;

/**
 * Registers tsx's module hooks for the whole process, once. Global hooks, not tsx's
 * `tsImport`: that one loads the module in a namespace of its own, and every module it imports
 * with it, so a user's allocator got a second @heaplab/core whose classes fail `instanceof`
 * against ours. Under global hooks `@heaplab/core` resolves to the one module already loaded.
 */
function registerTsx(file: string): Promise<void> {
  tsxRegistered ??= (async () => {
    let api: { register: () => unknown };
    try {
      api = (await import('tsx/esm/api')) as typeof api;
    } catch {
      throw new Error(`${file} is TypeScript and the tsx package is not installed to load it: compile it to .js or install tsx`);
    }
    api.register();
  })();
  return tsxRegistered;
}

/**
 * Imports a module by file path. A TypeScript file is imported after tsx's hooks are
 * registered (harmless when a TypeScript loader already runs): a failed import is cached by
 * Node, so it cannot be tried first and retried.
 */
async function importModule(file: string): Promise<Record<string, unknown>> {
  if (/\.[cm]?ts$/.test(file)) await registerTsx(file);
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

/** Loads the configuration: file, environment, custom modules; validated (see the top of this file). */
export async function loadConfig(options: LoadOptions = {}): Promise<HeaplabConfig> {
  const registry = options.registry ?? new Registry();
  const loader = new Loader(findConfigFile(options), options.env ?? process.env, registry);
  loader.placeVariables();
  const settings = loader.validateStructure();
  await loader.importModules();
  const s = loader.validateStrategies();
  loader.fileSources();
  return new HeaplabConfig(loader.file, s.defaultName, settings, s.allocators, s.wrappers, s.wrapperOptions, registry, loader.sources);
}

/** The settings sections only (space, fuzz, bench), synchronously: no module is imported, allocator parameters are not checked. */
export function readSettings(options: Omit<LoadOptions, 'registry'> = {}): Settings {
  const loader = new Loader(findConfigFile(options), options.env ?? process.env, new Registry());
  loader.placeVariables();
  return loader.validateStructure();
}
