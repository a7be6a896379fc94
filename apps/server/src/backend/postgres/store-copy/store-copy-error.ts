/** A reason the copy cannot go on that the operator can act on: the message says what to do. */
export class StoreCopyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreCopyError";
  }
}

/** The copy ran, and verification found that PostgreSQL does not hold what SQLite does. */
export class StoreCopyMismatch extends StoreCopyError {
  constructor(message: string) {
    super(message);
    this.name = "StoreCopyMismatch";
  }
}
