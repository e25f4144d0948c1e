import { startAppliance, stopOnSignals } from './app/bootstrap.js';
import { ConfigError, loadConfig } from './config/index.js';

/**
 * `npm start`: configuration errors end the process with exit code 2 and
 * one line naming the key, the value and what is allowed.
 */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const appliance = await startAppliance(config);
  stopOnSignals(appliance, appliance.ctx.logger);
}

main().catch((err: unknown) => {
  process.stderr.write(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
