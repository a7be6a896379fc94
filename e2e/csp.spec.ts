// [4/6] The production page works under its own strict Content-Security-Policy: it loads, connects its
// WebSocket, chats, and logs no console error and no CSP violation.
import { expect, test } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";

test("the page loads and chats under the strict CSP with zero console errors", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  // Injected by the browser driver, outside the page's CSP, before any page script runs.
  await page.addInitScript(() => {
    const violations: string[] = [];
    Object.assign(window, { __cspViolations: violations });
    document.addEventListener("securitypolicyviolation", (event) => {
      violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
    });
  });

  const room = uniqueRoom("csp");
  const response = await page.goto(`/r/${room}?name=csp-checker`);
  const csp = response?.headers()["content-security-policy"] ?? "";
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("script-src 'self'");
  expect(csp).not.toContain("unsafe-inline");
  expect(csp).toMatch(/connect-src 'self' ws:\/\/\S+ wss:\/\/\S+/);

  const tab = new ChatTab(context, page, "csp-checker");
  await tab.expectStatus("open");
  await tab.send("hello under a strict CSP");
  await expect(tab.messagesWith("hello under a strict CSP")).toHaveCount(1);

  const violations = await page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
  expect(violations).toEqual([]);
  expect(consoleErrors).toEqual([]);
  await context.close();
});
