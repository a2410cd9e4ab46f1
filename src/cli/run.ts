#!/usr/bin/env node
/** Process entry of the `tfjs-tuner` command. */
import { main } from './main.js';

// `tfjs-tuner summary | head`: a closed pipe ends the command quietly, as for other Unix tools.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
