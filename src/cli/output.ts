/**
 * Where the CLI writes. Human-readable text goes to stdout, or to stderr with --json so that stdout
 * ends with exactly one JSON object (the command's result) that scripts can parse.
 */
export interface Output {
  json: boolean;
  /** A line for people. */
  info(text: string): void;
  /** A problem that does not stop the command: always on stderr. */
  warn(text: string): void;
  /** The command's result: one JSON line on stdout (only with --json). */
  result(value: unknown): void;
}

export function makeOutput(json: boolean): Output {
  return {
    json,
    info: (text) => (json ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : text + '\n'),
    warn: (text) => process.stderr.write(text.endsWith('\n') ? text : text + '\n'),
    result: (value) => {
      if (json) process.stdout.write(JSON.stringify(value) + '\n');
    },
  };
}

/** An error whose message is for the user (a bad option, a missing folder): printed without a stack. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Keras's "Found N images belonging to K classes." line, printed through the CLI's output. */
export function foundMessage(it: { samples: number; numClasses: number }): string {
  return `Found ${it.samples} images belonging to ${it.numClasses} classes.`;
}
