/** The hypermodel of bench/tune.ts, as a module its worker threads import. */
export { cnnHypermodel } from '../src/models/cnn-hypermodel.js';
