// Regenerates docs/configuration.md from the configuration schema.
import { writeFileSync } from 'node:fs';
import { configurationReference } from '../src/config/docs.js';

writeFileSync('docs/configuration.md', configurationReference());
console.log('wrote docs/configuration.md');
