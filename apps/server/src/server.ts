import { buildApp, defaultWebDist } from "./app";
import { ConfigError, loadConfig } from "./config";
import webNotBuiltRoutes, { webAppBuilt } from "./routes/web-not-built";
import { ensureAdminKey } from "./security/admin-key";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }

  const app = await buildApp(config);
  const webBuilt = webAppBuilt(config.webDist ?? defaultWebDist());
  if (!webBuilt) await app.register(webNotBuiltRoutes);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down");
    const forced = setTimeout(() => {
      app.log.error("shutdown took too long; exiting");
      process.exit(1);
    }, config.shutdownGraceMs);
    forced.unref();
    try {
      await app.close();
      process.exit(0);
    } catch (error) {
      app.log.error({ err: error }, "shutdown failed");
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));

  const backend = app.backend.kind;
  await app.listen({
    port: config.port,
    host: config.host,
    // One line per address, saying what a browser finds there. Without a built page this port has
    // only /api and /ws, so the line must not read like the address to open (`pnpm dev` prints
    // Vite's); with one, under development it may be a stale build, so the line says so.
    listenTextResolver: (address) => {
      if (!webBuilt) {
        return `Chatroom API and /ws are listening on ${address} (backend: ${backend}); the page is not built, so it is not served here: under \`pnpm dev\` open the Vite address it prints, or run \`pnpm build\` to serve the page on this port`;
      }
      if (config.env === "development") {
        return `Chatroom is listening on ${address} (backend: ${backend}), serving the page from the last \`pnpm build\`; under \`pnpm dev\` open the Vite address it prints for live reload`;
      }
      return `Chatroom is listening on ${address} (backend: ${backend})`;
    },
  });
  // First start: the admin link, once, on stdout and not through the logger (whose lines are kept).
  await ensureAdminKey({
    store: app.backend.adminKey,
    baseUrl: config.publicUrl ?? `http://${displayHost(config.host)}:${listeningPort(app.server.address(), config.port)}`,
    print: (line) => process.stdout.write(line),
  });
}

/** A wildcard listen address is not one a browser can open; localhost is. */
function displayHost(host: string): string {
  if (host === "0.0.0.0" || host === "::") return "localhost";
  return host.includes(":") ? `[${host}]` : host;
}

function listeningPort(address: ReturnType<import("node:net").Server["address"]>, configured: number): number {
  return typeof address === "object" && address !== null ? address.port : configured;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
