import { readFileSync } from 'node:fs';
import test from 'ava';
import { configurationReference } from '../../src/config/docs.js';

test('docs/configuration.md is generated from the schema and up to date (npm run docs)', (t) => {
  const reference = configurationReference();
  t.is(readFileSync('docs/configuration.md', 'utf8'), reference);
  // Every setting of the schema appears, with its default.
  t.regex(reference, /\| `issuer` \| string \| \*\*required\*\*/);
  t.regex(reference, /\| `login\.throttle\.maxFailures` \| integer \| `10`/);
});
