import { createServer } from "node:net";

/** A TCP port free on 127.0.0.1 right now: the OS picks it for a probe that closes at once. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}
