// `pnpm admin-link`: makes a fresh admin key, replaces the stored hash (the old link stops working
// at once, on every node) and prints the new link. Reads the same environment as the server, so it
// finds the same store (DATA_DIR or DATABASE_URL). Safe while the server runs: SQLite waits for its lock.
import { ConfigError, loadConfig } from "../config";
import { createBackend } from "../plugins/backend";
import { rotateAdminKey } from "../security/admin-key";

async function main(): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const backend = await createBackend(config);
  try {
    if (backend.kind === "memory") {
      console.error("HISTORY=memory keeps the admin key in the server's memory: restart the server to get a fresh admin link.");
      return 2;
    }
    const host = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    await rotateAdminKey({
      store: backend.adminKey,
      baseUrl: config.publicUrl ?? `http://${host}:${config.port}`,
      print: (line) => process.stdout.write(line),
    });
    return 0;
  } finally {
    await backend.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
