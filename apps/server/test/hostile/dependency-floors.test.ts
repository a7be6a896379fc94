import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../../..");

/** The version of `name` as `fromPackage` (a package.json path) resolves it. */
function resolvedVersion(fromPackage: string, name: string): { version: string; dir: string } {
  const require = createRequire(fromPackage);
  let dir = dirname(require.resolve(name));
  while (!existsSync(join(dir, "package.json")) || !readFileSync(join(dir, "package.json"), "utf8").includes(`"name": "${name}"`)) {
    if (dirname(dir) === dir) throw new Error(`no package.json for ${name} above ${fromPackage}`);
    dir = dirname(dir);
  }
  return { version: JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version as string, dir };
}

function atLeast(version: string, floor: string): boolean {
  const [a, b] = [version, floor].map((v) => v.split(".").map((part) => Number.parseInt(part, 10)));
  for (let i = 0; i < 3; i++) {
    const diff = (a?.[i] ?? 0) - (b?.[i] ?? 0);
    if (diff !== 0) return diff > 0;
  }
  return true;
}

// ws < 8.21.1: fragment-flood memory exhaustion (CVE-2026-62389) and earlier advisories;
// ws < 8.17.1: the many-headers crash (CVE-2024-37890). fastify < 5.8.1: the advisory floor.
describe("dependency floors", () => {
  it("every ws in the tree is >= 8.21.1, including the one socket.io's engine.io brings", () => {
    const server = join(root, "apps/server/package.json");
    const fastifyWebsocket = resolvedVersion(server, "@fastify/websocket");
    const socketIo = resolvedVersion(join(root, "bench/package.json"), "socket.io");
    const engineIo = resolvedVersion(join(socketIo.dir, "package.json"), "engine.io");
    const engineIoClient = resolvedVersion(
      join(resolvedVersion(join(root, "bench/package.json"), "socket.io-client").dir, "package.json"),
      "engine.io-client",
    );
    for (const from of [
      server,
      join(fastifyWebsocket.dir, "package.json"),
      join(engineIo.dir, "package.json"),
      join(engineIoClient.dir, "package.json"),
    ]) {
      const ws = resolvedVersion(from, "ws");
      expect(atLeast(ws.version, "8.21.1"), `${from} resolves ws ${ws.version}`).toBe(true);
    }
  });

  it("fastify is >= 5.8.1", () => {
    const fastify = resolvedVersion(join(root, "apps/server/package.json"), "fastify");
    expect(atLeast(fastify.version, "5.8.1"), `fastify ${fastify.version}`).toBe(true);
  });
});
