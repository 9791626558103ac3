import { loadConfig, type LoadedConfig } from '../config/load.js';
import { stringOption, type OptionSpec, type ParsedArgs } from './command.js';

/** The `--config FILE` option every command that reads the configuration has. */
export const configOption: OptionSpec = { type: 'string', short: 'c', description: 'Configuration file (YAML).', placeholder: 'FILE' };

/**
 * The configuration named by `--config` (else BRIDGE_CONFIG, config/bridge.yaml, or demo mode). A
 * `ConfigError` reaches the command runner, which prints every problem with its path and exits 2.
 */
export function loadConfigOption(args: ParsedArgs): LoadedConfig {
  const file = stringOption(args, 'config');
  return loadConfig(file ? { file } : {});
}
