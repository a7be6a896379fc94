import path from "node:path";
import fc from "fast-check";
import { expect } from "vitest";

/**
 * Every property in the repo runs through `checkProperty`, so every run is replayable:
 * the seed comes from FC_SEED when set (random otherwise) and is printed before the run,
 * and a failure ends with the one command that replays its counterexample
 * (FC_SEED and FC_PATH, limited to the failing test with -t).
 */
export function checkProperty<Ts>(property: fc.IProperty<Ts>, parameters: fc.Parameters<Ts> = {}): void {
  const seed = seedFromEnv() ?? randomSeed();
  const { testPath, currentTestName } = expect.getState();
  const testName = currentTestName?.split(" > ").at(-1) ?? "";
  console.info(`fast-check seed ${seed} for "${currentTestName}" (replay: ${replayCommand(testPath, testName, seed)})`);
  const details = fc.check(property, { ...parameters, seed, path: process.env.FC_PATH });
  if (!details.failed) return;
  throw new Error(
    `${fc.defaultReportMessage(details)}\n\nReplay this failure with:\n  ${replayCommand(testPath, testName, seed, details.counterexamplePath)}`,
    { cause: details.errorInstance },
  );
}

function seedFromEnv(): number | undefined {
  const raw = process.env.FC_SEED;
  if (raw === undefined || raw === "") return undefined;
  const seed = Number(raw);
  if (!Number.isInteger(seed)) throw new Error(`FC_SEED must be an integer, got "${raw}"`);
  return seed;
}

/** The same spread of seeds fast-check picks by itself. */
function randomSeed(): number {
  return (Date.now() ^ (Math.random() * 0x100000000)) | 0;
}

function replayCommand(testPath: string | undefined, testName: string, seed: number, counterexamplePath?: string | null): string {
  const file = testPath ? path.relative(process.cwd(), testPath) : "<test file>";
  const env = counterexamplePath ? `FC_SEED=${seed} FC_PATH=${counterexamplePath}` : `FC_SEED=${seed}`;
  return `${env} pnpm vitest run ${file} -t ${shellQuote(escapeRegExp(testName))}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
