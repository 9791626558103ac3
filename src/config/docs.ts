import { z } from 'zod';
import { describeEnvOverrides } from './load.js';
import { buildConfigSchema } from './schema.js';

type JsonSchema = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  required?: string[];
};

function typeOf(schema: JsonSchema): string {
  if (schema.enum) return schema.enum.map((v) => JSON.stringify(v)).join(' \\| ');
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeOf))].join(' \\| ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'values'}`;
  if (schema.type === 'object' && schema.properties && 'env' in schema.properties) return '`{ env }`';
  if (schema.type === 'object' && schema.properties && 'file' in schema.properties) return '`{ file }`';
  return Array.isArray(schema.type) ? schema.type.join(' \\| ') : (schema.type ?? 'any');
}

function rows(schema: JsonSchema, path: string, required: boolean, out: string[]): void {
  const isSection = schema.type === 'object' && schema.properties && !('env' in schema.properties) && !('file' in schema.properties);
  if (path && (!isSection || schema.description)) {
    const def = schema.default === undefined || isSection ? (required ? '**required**' : '') : `\`${JSON.stringify(schema.default)}\``;
    out.push(`| \`${path}\` | ${isSection ? 'section' : typeOf(schema)} | ${def} | ${(schema.description ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ')} |`);
  }
  if (isSection) {
    for (const [key, child] of Object.entries(schema.properties!)) {
      rows(child, path ? `${path}.${key}` : key, schema.required?.includes(key) ?? false, out);
    }
  }
  if (schema.type === 'array' && schema.items?.type === 'object' && schema.items.properties && !('env' in schema.items.properties)) {
    for (const [key, child] of Object.entries(schema.items.properties)) {
      rows(child, `${path}[].${key}`, schema.items.required?.includes(key) ?? false, out);
    }
  }
}

/** The configuration reference, generated from the schema so it cannot drift from the code. */
export function configurationReference(): string {
  const json = z.toJSONSchema(buildConfigSchema({}), { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const out = [
    '# Configuration reference',
    '',
    '<!-- Generated from src/config/schema.ts by `npm run docs`; do not edit by hand. -->',
    '',
    'The configuration is one YAML file (`config/bridge.yaml`, or `BRIDGE_CONFIG`, or `--config`). `${NAME}` and',
    '`${NAME:-fallback}` in values are replaced from the environment; in a number or boolean setting the result',
    'must be a number or `true`/`false` (`port: ${PORT}`). Secrets are `{ env: NAME }`, `{ file: PATH }`',
    'or a literal string. `legacy-bridge check-config` validates a file and reports every problem at once.',
    '',
    'Environment variables that override a setting:',
    '',
    ...describeEnvOverrides().map((line) => `- ${line}`),
    '',
    '| setting | type | default | meaning |',
    '| --- | --- | --- | --- |',
  ];
  rows(json, '', true, out);
  return `${out.join('\n')}\n`;
}
