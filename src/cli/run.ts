#!/usr/bin/env node
/** Process entry of the `tfjs-tuner` command. */
import { main } from './main.js';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
