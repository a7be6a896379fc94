// [4/6] Sign-in from a host app: the chat server runs with AUTH=jwt and examples/host-app runs
// beside it on its own origin. alice and bob log in to the host site in two browsers and chat,
// each under the name their token gives (Alice, Bob), and no token is ever in a URL.
import { randomBytes } from "node:crypto";
import { type Browser, expect, type Page, test } from "@playwright/test";
import { freePort } from "../apps/server/test/support/free-port";
import { HostAppProcess } from "./support/host-app";
import { ServerProcess } from "./support/server";

const JWT_SECRET = randomBytes(32).toString("base64url");
const AUDIENCE = "chatroom";

let chat: ServerProcess | undefined;
let host: HostAppProcess | undefined;

test.beforeAll(async () => {
  const hostPort = await freePort();
  const hostOrigin = `http://127.0.0.1:${hostPort}`;
  chat = await ServerProcess.create({
    AUTH: "jwt",
    JWT_SECRET,
    JWT_ISSUER: hostOrigin,
    JWT_AUDIENCE: AUDIENCE,
    // The host page is another origin: the chat server lets it open /ws.
    ALLOWED_ORIGINS: hostOrigin,
  });
  host = await HostAppProcess.start(hostPort, { JWT_SECRET, JWT_ISSUER: hostOrigin, JWT_AUDIENCE: AUDIENCE, CHAT_URL: chat.url });
});

test.afterAll(async () => {
  await Promise.allSettled([host?.stop(), chat?.dispose()]);
});

interface HostTab {
  page: Page;
  /** Every URL the page asked for, WebSockets included. */
  urls: string[];
  /** Every token the host backend handed this page. */
  tokens: string[];
  close(): Promise<void>;
}

/** A browser of its own, logged in to the host site as `user`. */
async function logIn(browser: Browser, user: string): Promise<HostTab> {
  if (!host) throw new Error("the host app did not start");
  const context = await browser.newContext();
  const page = await context.newPage();
  const tab: HostTab = { page, urls: [], tokens: [], close: () => context.close() };
  page.on("request", (request) => tab.urls.push(request.url()));
  page.on("websocket", (socket) => tab.urls.push(socket.url()));
  page.on("response", async (response) => {
    if (new URL(response.url()).pathname === "/token" && response.ok()) tab.tokens.push((await response.json()).token);
  });
  await page.goto(`${host.url}/`);
  await page.getByRole("link", { name: `Log in as ${user}` }).click();
  return tab;
}

async function say(tab: HostTab, text: string): Promise<void> {
  await tab.page.getByRole("textbox", { name: "Message" }).fill(text);
  await tab.page.getByRole("button", { name: "Send" }).click();
}

test("alice and bob of a host app chat under the names their tokens give", async ({ browser }) => {
  const alice = await logIn(browser, "alice");
  const bob = await logIn(browser, "bob");
  try {
    await expect(alice.page.locator("#status")).toHaveText("Signed in as Alice");
    await expect(bob.page.locator("#status")).toHaveText("Signed in as Bob");

    await say(alice, "hello from alice");
    await expect(bob.page.locator("#log .message").last()).toHaveText("Alice: hello from alice");
    await say(bob, "hi alice, bob here");
    await expect(alice.page.locator("#log .message").last()).toHaveText("Bob: hi alice, bob here");
    for (const tab of [alice, bob]) {
      await expect(tab.page.locator("#log .message")).toHaveText(["Alice: hello from alice", "Bob: hi alice, bob here"]);
    }

    // Tokens travel in response bodies and frames only: no URL either browser opened carries one.
    for (const tab of [alice, bob]) {
      expect(tab.tokens.length).toBeGreaterThan(0);
      expect(tab.urls).toContain(chat?.wsUrl);
      for (const token of tab.tokens) expect(tab.urls.filter((url) => url.includes(token.split(".")[2] ?? token))).toEqual([]);
    }
  } finally {
    await Promise.all([alice.close(), bob.close()]);
  }
});
