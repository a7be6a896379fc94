// `pnpm migrate-store --from sqlite --to postgres`: copies a single node's SQLite store (DATA_DIR's
// chat.db) into the PostgreSQL database in DATABASE_URL, resumably, and verifies the copy. The
// target comes from the environment only: a URL on the command line would put its password in `ps`
// and the shell's history, so none is accepted, and none is ever printed.

import { parseArgs } from "node:util";
import { withConnectHint } from "../backend/postgres/connect-hint";
import { runStoreCopy } from "../backend/postgres/store-copy/store-copy";
import { StoreCopyError, StoreCopyMismatch } from "../backend/postgres/store-copy/store-copy-error";
import { envSchema } from "../config";

const USAGE = `usage: DATABASE_URL=postgres://… pnpm migrate-store --from sqlite --to postgres [--data-dir DIR] [--batch-size N]

Copies the SQLite store in DIR (default: DATA_DIR, else ${envSchema.shape.DATA_DIR.parse(undefined)}) into the
PostgreSQL database named by the DATABASE_URL environment variable, then verifies it. Run it again
after an interruption: it resumes. Stop the node before the final pass.`;

/** Exit codes: what went wrong, for scripts. */
const EXIT = { ok: 0, failed: 1, usage: 2, mismatch: 3 } as const;

class UsageError extends Error {}

function parse(argv: string[], env: NodeJS.ProcessEnv) {
  if (argv.some((arg) => /^[a-z][a-z0-9+.-]*:\/\//i.test(arg.replace(/^--[\w-]+=/, "")))) {
    throw new UsageError(
      "no URL on the command line (its password would show in ps and the shell history): set DATABASE_URL in the environment instead",
    );
  }
  let values: { from?: string; to?: string; "data-dir"?: string; "batch-size"?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        from: { type: "string" },
        to: { type: "string" },
        "data-dir": { type: "string" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  if (values.from !== "sqlite" || values.to !== "postgres") {
    throw new UsageError("say what to copy: --from sqlite --to postgres (the only direction there is)");
  }
  const databaseUrl = env.DATABASE_URL;
  if (!databaseUrl) {
    throw new UsageError("DATABASE_URL is not set: set it to the PostgreSQL database to copy into (an empty one, made with createdb)");
  }
  let target: URL;
  try {
    target = new URL(databaseUrl);
  } catch {
    throw new UsageError("DATABASE_URL is not a URL: write it as postgres://user:password@host:port/database");
  }
  if (target.protocol !== "postgres:" && target.protocol !== "postgresql:") {
    throw new UsageError(`DATABASE_URL is a ${target.protocol}// URL: it must be postgres://user:password@host:port/database`);
  }
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && !(Number.isSafeInteger(batchSize) && batchSize >= 1 && batchSize <= 100_000)) {
    throw new UsageError("--batch-size must be a whole number from 1 to 100000");
  }
  const dataDir = values["data-dir"] ?? envSchema.shape.DATA_DIR.parse(env.DATA_DIR);
  return { dataDir, databaseUrl, batchSize, shown: `postgres://${target.host}${target.pathname} (DATABASE_URL)` };
}

/** The URL and its password out of any message that might echo them. */
function redact(text: string, databaseUrl: string | undefined): string {
  if (!databaseUrl) return text;
  let out = text.replaceAll(databaseUrl, "DATABASE_URL");
  try {
    const password = decodeURIComponent(new URL(databaseUrl).password);
    if (password) out = out.replaceAll(password, "***");
  } catch {
    // Not a URL: nothing more to take out.
  }
  return out;
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`migrate-store: ${error.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  if (!args) {
    console.log(USAGE);
    return EXIT.ok;
  }
  console.log(`Copying the SQLite store in ${args.dataDir} into ${args.shown}`);
  try {
    await runStoreCopy({
      dataDir: args.dataDir,
      databaseUrl: args.databaseUrl,
      ...(args.batchSize === undefined ? {} : { batchSize: args.batchSize }),
      print: (text) => console.log(redact(text, args.databaseUrl)),
    });
    console.log("Copied and verified.");
    return EXIT.ok;
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // A StoreCopyError says what to do already; a PostgreSQL error from a step gets the hint.
    const message = redact(error instanceof StoreCopyError ? text : withConnectHint(text, error), args.databaseUrl);
    console.error(`migrate-store: ${message}`);
    if (error instanceof StoreCopyMismatch) return EXIT.mismatch;
    if (error instanceof StoreCopyError) return EXIT.usage;
    return EXIT.failed;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(EXIT.failed);
  },
);
