#!/usr/bin/env node
// The published command runs the compiled CLI (npm run build, done by `npm install`/`npm ci` via prepare).
import '../dist/src/cli/run.js';
