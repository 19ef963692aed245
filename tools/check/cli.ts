/**
 * Entry point of `npm run check`: see cli-main.ts for what it does and USAGE in cli-options.ts
 * for the flags. `CHECK_TIMING=1` prints how long each phase took.
 */
import { main } from './cli-main';

const status = main(process.argv.slice(2), process.env, { out: (line) => console.log(line), err: (line) => console.error(line) });
if (process.env.CHECK_TIMING) console.error(`check timing: ${Math.round(process.uptime() * 1000)} ms since the process started`);
process.exitCode = status;
