import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, LOCAL_CLOSE_CODES } from "../src/index";

/**
 * Close codes are data: errors.ts holds the one table, and every other source file names an entry
 * (`CLOSE_CODES.tooSlow.code`). This scans the source (not the tests, which may check the numbers
 * the contract fixes) and fails on a close code spelled out again.
 */
const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const TABLE = "packages/protocol/src/errors.ts";
const SOURCE_ROOTS = ["apps", "packages", "scripts"];
const SOURCE_FILE = /\.(?:ts|tsx|mts|mjs|js|cjs)$/;
const SKIPPED_DIRS = new Set(["node_modules", "dist", "test", "tests", "e2e", "coverage"]);

const CODES = new Set<number>([...Object.values(CLOSE_CODES).map((entry) => entry.code), ...Object.values(LOCAL_CLOSE_CODES)]);
/** 1000 is also a thousand (`ms / 1000`): it counts only where a close code goes. */
const AMBIGUOUS = new Set<number>([CLOSE_CODES.normal.code]);
/** The codes that mean nothing but a close, looked for in strings too (a help text, a log line). */
const APPLICATION_CODES = [...CODES].filter((code) => code >= 4000);
const CODE_IN_TEXT = new RegExp(`\\b(?:${APPLICATION_CODES.join("|")})\\b`);
const CLOSING_CALL = /close|fail|drop|terminate/i;

/** Source files under apps/<app>/src, packages/<package>/src and scripts, tests excluded. */
function sourceFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!SKIPPED_DIRS.has(name)) walk(path);
      } else if (SOURCE_FILE.test(name) && !/\.(?:test|spec)\.[a-z]+$/.test(name)) {
        files.push(path);
      }
    }
  };
  for (const top of ["apps", "packages"]) {
    for (const unit of readdirSync(join(ROOT, top))) {
      const src = join(ROOT, top, unit, "src");
      if (statSync(join(ROOT, top, unit)).isDirectory() && safeIsDir(src)) walk(src);
    }
  }
  walk(join(ROOT, "scripts"));
  return files.map((path) => relative(ROOT, path)).filter((path) => path !== TABLE && SOURCE_ROOTS.some((root) => path.startsWith(root)));
}

function safeIsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function calleeName(call: ts.CallExpression): string {
  const callee = call.expression;
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return "";
}

/** Whether a numeric literal stands where a close code goes: a closing call's argument, a comparison, a `code:`, a `case`. */
function inCloseContext(node: ts.Node): boolean {
  let child = node;
  let parent = node.parent;
  // Look through `code ?? 1000`, `(1000)` and `cond ? 1000 : x` to the expression they sit in.
  while (
    parent &&
    (ts.isParenthesizedExpression(parent) ||
      ts.isConditionalExpression(parent) ||
      (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken))
  ) {
    child = parent;
    parent = parent.parent;
  }
  if (!parent) return false;
  if (ts.isCallExpression(parent)) return parent.arguments.includes(child as ts.Expression) && CLOSING_CALL.test(calleeName(parent));
  if (ts.isBinaryExpression(parent)) {
    const kind = parent.operatorToken.kind;
    const equality = [
      ts.SyntaxKind.EqualsEqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsEqualsToken,
      ts.SyntaxKind.EqualsEqualsToken,
      ts.SyntaxKind.ExclamationEqualsToken,
    ].includes(kind);
    return equality && /code/i.test(parent.getText());
  }
  if (ts.isPropertyAssignment(parent)) return /code/i.test(parent.name.getText());
  return ts.isCaseClause(parent) || ts.isReturnStatement(parent);
}

/** Every close code spelled out in `text`, as `path:line: what`. */
function literalCloseCodes(path: string, text: string): string[] {
  const kind = /\.tsx$/.test(path) ? ts.ScriptKind.TSX : /\.(?:m|c)?js$/.test(path) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, kind);
  const found: string[] = [];
  const report = (node: ts.Node, what: string) => {
    const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
    found.push(`${path}:${line + 1}: ${what}`);
  };
  const visit = (node: ts.Node) => {
    if (ts.isNumericLiteral(node)) {
      const value = Number(node.text);
      if (CODES.has(value) && (!AMBIGUOUS.has(value) || inCloseContext(node))) report(node, `close code ${value}`);
    } else if (ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const match = CODE_IN_TEXT.exec(node.text);
      if (match) report(node, `close code ${match[0]} in text`);
    } else if (ts.isCallExpression(node) && calleeName(node) === "close") {
      const first = node.arguments[0];
      if (first && ts.isNumericLiteral(first) && !CODES.has(Number(first.text)))
        report(node, `close(${first.text}) with a code not in the table`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe("close codes come only from the table in errors.ts", () => {
  it("no source file outside errors.ts spells one out", () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((path) => literalCloseCodes(path, readFileSync(join(ROOT, path), "utf8")));
    expect(found).toEqual([]);
  });

  it("the scan finds what it is meant to and passes what it is not", () => {
    const flagged = [
      'socket.close(4008, "too slow");',
      "function code() { return 1007; }",
      "connection.fail('server_error', 'shutting down', 1001);",
      "if (event.code !== 1000) retry();",
      "socket.close(code ?? 1000);",
      "this.dropped(1006);",
      "socket.close(4999);",
      "const help = `closed with 4008 when slow`;",
      "switch (code) { case 1009: break; }",
    ];
    for (const line of flagged) expect(literalCloseCodes("sample.ts", line), line).toHaveLength(1);
    const clean = [
      "const seconds = ms / 1000;",
      "setTimeout(run, 1000);",
      "// closes with 4008 when the reader is slow",
      "/* 1001 on shutdown */ socket.close(CLOSE_CODES.shuttingDown.code, CLOSE_CODES.shuttingDown.reason);",
      "const port = 4000 + 1;",
      'const url = "http://localhost:5173";',
    ];
    for (const line of clean) expect(literalCloseCodes("sample.ts", line), line).toEqual([]);
  });
});
