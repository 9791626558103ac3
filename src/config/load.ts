import { existsSync, readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { buildConfigSchema, type BridgeConfig } from './schema.js';
import { demoConfig } from './demo.js';

/** The configuration file used when none is named. Without it the bridge starts in demo mode. */
export const DEFAULT_CONFIG_FILE = 'config/bridge.yaml';

export interface ConfigIssue {
  /** Dotted path inside the configuration, e.g. `oidc.clients.0.clientSecret`. */
  readonly path: string;
  readonly message: string;
}

/** Every problem of a configuration at once, each with its path. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(`Configuration problems in ${source}:\n${issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n')}`);
  }
}

export interface LoadOptions {
  /** Path of the YAML file; else BRIDGE_CONFIG, else config/bridge.yaml if present, else demo mode. */
  readonly file?: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface LoadedConfig {
  readonly config: BridgeConfig;
  /** Where it came from: a file path, or `demo`. */
  readonly source: string;
  /** Things the operator should know about how it was read (a setting ignored), for the start-up output. */
  readonly notices: readonly string[];
}

type Raw = Record<string, unknown>;

/** Environment variables that override single settings, the way containers are configured. */
const ENV_OVERRIDES: ReadonlyArray<{ name: string; path: readonly string[]; type: 'string' | 'port' }> = [
  { name: 'ISSUER', path: ['issuer'], type: 'string' },
  { name: 'HOST', path: ['server', 'host'], type: 'string' },
  { name: 'PORT', path: ['server', 'port'], type: 'port' },
  { name: 'DATABASE_URL', path: ['database', 'url'], type: 'string' },
  { name: 'LEGACY_DATABASE_URL', path: ['legacy', 'url'], type: 'string' },
  { name: 'LOG_LEVEL', path: ['log', 'level'], type: 'string' },
];

export function describeEnvOverrides(): string[] {
  return ENV_OVERRIDES.map((o) => `${o.name} → ${o.path.join('.')}`);
}

/** The file named, else BRIDGE_CONFIG, else config/bridge.yaml if present; undefined means demo mode. */
function configFile(options: LoadOptions, env: NodeJS.ProcessEnv): string | undefined {
  if (options.file === undefined && env.BRIDGE_CONFIG === '') {
    // Falling through would start demo mode (published demo passwords) on whatever DATABASE_URL names.
    throw new ConfigError('the environment', [
      {
        path: 'BRIDGE_CONFIG',
        message: `is set but empty: unset it to use ${DEFAULT_CONFIG_FILE} (demo mode without it), or set it to a configuration file`,
      },
    ]);
  }
  return options.file ?? env.BRIDGE_CONFIG ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
}

export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const file = configFile(options, env);
  const issues: ConfigIssue[] = [];
  // Where a value came from when not written in the file, to name it in a problem (never the value itself).
  const origins = new Map<string, string>();
  const raw = file ? parseYaml(file, issues) : demoConfig(env);
  const source = file ?? 'demo';
  // A file that cannot be read as settings has nothing more to check.
  if (issues.length > 0) throw new ConfigError(source, issues);
  const settings = file ? (interpolate(raw, env, [], issues, origins) as Raw) : raw;
  const notices: string[] = [];
  // The demo users live in the embedded database: another legacy database has none of them.
  const ignored = file ? [] : ['LEGACY_DATABASE_URL'].filter((name) => env[name]);
  for (const name of ignored) notices.push(`${name} is ignored in demo mode (the demo users live in the embedded database); write ${DEFAULT_CONFIG_FILE} (see config/example.yaml) to use your legacy database`);
  applyEnvOverrides(settings, env, issues, origins, ignored);
  const schema = buildConfigSchema(env);
  coerceInterpolated(settings, schema, origins);
  const result = schema.safeParse(settings);
  if (!result.success) {
    // Every problem at once; a path already reported (an unset variable) is not reported again.
    const reported = new Set(issues.map((issue) => issue.path));
    issues.push(
      ...flattenIssues(result.error.issues)
        .filter((issue) => !reported.has(issue.path))
        .map((issue) => {
          if (valueAt(settings, issue.path.split('.')) === undefined && /received undefined/.test(issue.message)) return { ...issue, message: 'is required' };
          const origin = origins.get(issue.path);
          return origin ? { ...issue, message: `${issue.message} (the value comes from ${origin})` } : issue;
        }),
    );
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return { config: result.data as BridgeConfig, source, notices };
}

/**
 * Only `oidc.jwksFile`, for the key commands: the rest of the file is not validated, so secrets that only
 * the server needs (client secrets, cookie keys from the environment) need not be set to manage keys.
 */
export function loadJwksFile(options: LoadOptions = {}): { readonly jwksFile: string; readonly source: string } {
  const env = options.env ?? process.env;
  const field = buildConfigSchema(env).shape.oidc.shape.jwksFile;
  const file = configFile(options, env);
  if (!file) return { jwksFile: field.parse(undefined), source: 'demo' };
  const issues: ConfigIssue[] = [];
  const raw = parseYaml(file, issues);
  const oidc = raw.oidc;
  if (oidc !== undefined && (oidc === null || typeof oidc !== 'object' || Array.isArray(oidc))) {
    issues.push({ path: 'oidc', message: 'must be a mapping' });
  }
  if (issues.length > 0) throw new ConfigError(file, issues);
  const path = ['oidc', 'jwksFile'];
  const value = interpolate((oidc as Raw | undefined)?.jwksFile, env, path, issues);
  if (issues.length > 0) throw new ConfigError(file, issues);
  const result = field.safeParse(value);
  if (!result.success) throw new ConfigError(file, flattenIssues(result.error.issues.map((i) => ({ ...i, path: [...path, ...i.path] }))));
  return { jwksFile: result.data, source: file };
}

/** Parse an already-built object (tests, embedding). */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): BridgeConfig {
  const result = buildConfigSchema(env).safeParse(raw);
  if (!result.success) throw new ConfigError('object', flattenIssues(result.error.issues));
  return result.data;
}

/** The file's mapping as written, before `${NAME}` interpolation; problems go to `issues`. */
function parseYaml(file: string, issues: ConfigIssue[]): Raw {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT'
        ? `no such file: ${file} (without --config and BRIDGE_CONFIG the bridge reads ${DEFAULT_CONFIG_FILE}, and starts the demo when there is none)`
        : `cannot read ${file}: ${code ?? (error as Error).message}`;
    issues.push({ path: '', message });
    return {};
  }
  const document = parseDocument(text, { prettyErrors: true });
  for (const error of document.errors) {
    const [line, column] = [error.linePos?.[0]?.line ?? '?', error.linePos?.[0]?.col ?? '?'];
    // The library's first line ends "at line L, column C:" before an excerpt; the place goes in the path.
    const what = (error.message.split('\n')[0] ?? '').replace(/\s*at line \d+, column \d+:?\s*$/, '') || 'YAML syntax error';
    issues.push({ path: `line ${line}, column ${column}`, message: what });
  }
  if (document.errors.length > 0) return {};
  let value: unknown;
  try {
    value = document.toJS();
  } catch (error) {
    // yaml refuses aliases that would expand without bound (an alias bomb) by throwing a ReferenceError.
    const hint = error instanceof ReferenceError ? 'write the repeated values out instead of nesting aliases (*name)' : 'check the YAML';
    // The library's words up to their first colon: what follows may quote the file (an alias name, a secret).
    const what = (error as Error).message.split(': ')[0];
    issues.push({ path: '', message: `the YAML cannot be read as settings: ${what}; ${hint}` });
    return {};
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    issues.push({ path: '', message: 'the file must hold a YAML mapping' });
    return {};
  }
  return value as Raw;
}

/** Replace `${NAME}` and `${NAME:-default}` in every string value; `origins` learns which paths used which. */
function interpolate(value: unknown, env: NodeJS.ProcessEnv, path: string[], issues: ConfigIssue[], origins?: Map<string, string>): unknown {
  if (typeof value === 'string') {
    const used: string[] = [];
    const result = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_match, name: string, fallback: string | undefined) => {
      used.push(`\${${name}}`);
      const found = env[name];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback;
      issues.push({ path: path.join('.'), message: `environment variable ${name} is not set` });
      return '';
    });
    if (used.length > 0) origins?.set(path.join('.'), used.join(' and '));
    return result;
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, env, [...path, String(i)], issues, origins));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, env, [...path, key], issues, origins)]));
  }
  return value;
}

/**
 * Interpolation yields text; where the schema expects a number or a boolean, text that is exactly one
 * (`8080`, `true`) becomes it, so `port: ${PORT}` works. Anything else stays text and is reported at its path.
 */
function coerceInterpolated(raw: Raw, schema: z.ZodType, origins: ReadonlyMap<string, string>): void {
  for (const [dotted, origin] of origins) {
    if (!origin.startsWith('${')) continue; // an environment override, already of the right type
    const path = dotted.split('.');
    const parent = getPath(raw, path.slice(0, -1));
    const key = path[path.length - 1]!;
    const text = parent?.[key];
    if (typeof text !== 'string') continue;
    const kind = kindAt(schema, path);
    if (kind === 'number' && /^[+-]?\d+(\.\d+)?$/.test(text.trim())) parent![key] = Number(text);
    else if (kind === 'boolean' && /^(true|false)$/.test(text.trim())) parent![key] = text.trim() === 'true';
  }
}

/** The type the schema expects at a path, looking through defaults, optionals and refinements. */
function kindAt(schema: z.ZodType, path: readonly string[]): string | undefined {
  const def = schema.def as unknown as Record<string, unknown> & { type: string };
  switch (def.type) {
    case 'default':
    case 'prefault':
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'catch':
      return kindAt(def.innerType as z.ZodType, path);
    case 'pipe':
      return kindAt(def.in as z.ZodType, path);
    case 'object': {
      if (path.length === 0) return def.type;
      const child = (def.shape as Record<string, z.ZodType>)[path[0]!];
      return child && kindAt(child, path.slice(1));
    }
    case 'array':
      return path.length === 0 ? def.type : kindAt(def.element as z.ZodType, path.slice(1));
    case 'record':
      return path.length === 0 ? def.type : kindAt(def.valueType as z.ZodType, path.slice(1));
    default:
      return path.length === 0 ? def.type : undefined;
  }
}

/** The value at `path`, whatever it is (undefined where nothing is). */
function valueAt(target: Raw, path: readonly string[]): unknown {
  let node: unknown = target;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Raw)[key];
  }
  return node;
}

function getPath(target: Raw, path: readonly string[]): Raw | undefined {
  const node = valueAt(target, path);
  return node && typeof node === 'object' ? (node as Raw) : undefined;
}

function applyEnvOverrides(raw: Raw, env: NodeJS.ProcessEnv, issues: ConfigIssue[], origins: Map<string, string>, ignored: readonly string[]): void {
  for (const override of ENV_OVERRIDES) {
    const value = env[override.name];
    if (value === undefined || value === '' || ignored.includes(override.name)) continue;
    let parsed: string | number = value;
    if (override.type === 'port') {
      parsed = Number(value);
      if (!/^\d+$/.test(value) || parsed > 65535) {
        issues.push({ path: override.path.join('.'), message: `${override.name} is not a port number (1–65535)` });
        continue;
      }
    }
    setPath(raw, override.path, parsed);
    origins.set(override.path.join('.'), override.name);
  }
}

function setPath(target: Raw, path: readonly string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!next || typeof next !== 'object') node[key] = {};
    node = node[key] as Raw;
  }
  node[path[path.length - 1]!] = value;
}

function flattenIssues(issues: readonly z.core.$ZodIssue[]): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of issues) {
    // A union failure hides the useful messages one level down; report those.
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const nested = issue.errors.flat().map((inner) => ({ ...inner, path: [...issue.path, ...inner.path] }));
      const messages = [...new Set(nested.map((n) => n.message))];
      out.push({ path: issue.path.map(String).join('.'), message: `expected one of the accepted forms (${messages.join('; ')})` });
      continue;
    }
    out.push({ path: issue.path.map(String).join('.'), message: issue.message });
  }
  return out;
}
