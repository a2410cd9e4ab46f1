/** Errors of the data pipeline. Every message names the path or option at fault and says what to do. */

/** A folder or option problem found while indexing or configuring (before any image is read). */
export class DataConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataConfigError';
  }
}

export type ImageErrorKind = 'unreadable' | 'missing' | 'too-large';

/** An image file that could not be read or decoded. `path` is the file. */
export class ImageDecodeError extends Error {
  constructor(
    readonly path: string,
    readonly kind: ImageErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'ImageDecodeError';
  }
}
