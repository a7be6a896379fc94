/** Every backend rejects work after `close()` with this, whatever it is built on. */
export class BackendClosedError extends Error {
  constructor() {
    super("backend is closed");
    this.name = "BackendClosedError";
  }
}
