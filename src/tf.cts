/**
 * TensorFlow.js, loaded with require. tfjs is CommonJS: an ESM `import * as tf from '@tensorflow/tfjs'`
 * makes Node (20) lex its six bundles (about 6 MB) for their export names before running them, about
 * 130 ms of CPU in every thread that imports it: each trial worker and every CLI command. Here the
 * package is required once; `module.exports = tf` is not a re-export Node's lexer follows, so modules
 * that import this one get tfjs (values and types) as the default export and nothing is lexed.
 * The same module instance as a user's own `import * as tf from '@tensorflow/tfjs'`.
 */
import tf = require('@tensorflow/tfjs');
export = tf;
