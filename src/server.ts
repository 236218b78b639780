import { type Config, ConfigError, loadConfig } from './config.ts';
import { jobHandlers, recurringJobs } from './jobs/handlers.ts';
import { serve } from './serve.ts';

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

await serve(config, { handlers: jobHandlers(config), recurring: recurringJobs });
