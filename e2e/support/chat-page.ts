import { randomBytes } from "node:crypto";
import { type Browser, type BrowserContext, type BrowserContextOptions, expect, type Locator, type Page } from "@playwright/test";

/** A room name no other test uses, so tests can share one server. */
export function uniqueRoom(prefix = "e2e"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}`;
}

/** One tab of one participant, with the page's stable test hooks. */
export class ChatTab {
  /** WebSockets the page opened since this object was made (before its first page load). */
  socketsOpened = 0;
  readonly badge: Locator;
  readonly input: Locator;
  readonly messages: Locator;
  readonly outbox: Locator;
  readonly events: Locator;
  readonly members: Locator;
  readonly log: Locator;
  /** The user's rooms in the sidebar, in the order listed. */
  readonly rooms: Locator;

  constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly name: string,
  ) {
    // Locators are lazy: each one finds its elements again whenever it is used.
    this.badge = page.locator(".status-badge");
    this.input = page.locator("#composer-input");
    this.messages = page.getByTestId("chat-message");
    this.outbox = page.getByTestId("outbox-message");
    this.events = page.getByTestId("event-line");
    this.members = page.getByTestId("member-list");
    this.log = page.getByTestId("message-log");
    this.rooms = page.getByTestId("room-item");
    page.on("websocket", () => this.socketsOpened++);
  }

  /** A fresh browser context (its own storage and Web Locks, so its own participant) joined to `room`. */
  static async open(browser: Browser, baseURL: string, room: string, name: string): Promise<ChatTab> {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    const tab = new ChatTab(context, page, name);
    await page.goto(`/r/${room}?name=${encodeURIComponent(name)}`);
    await tab.expectStatus("open");
    return tab;
  }

  /**
   * A fresh browser context joined to `room` the newcomer's way: through the name dialog.
   * `options` (viewport, locale...) are for the screens that depend on the context.
   */
  static async openWithDialog(
    browser: Browser,
    baseURL: string,
    room: string,
    name: string,
    options: BrowserContextOptions = {},
  ): Promise<ChatTab> {
    const context = await browser.newContext({ ...options, baseURL });
    const page = await context.newPage();
    const tab = new ChatTab(context, page, name);
    await page.goto(`/r/${room}`);
    const input = page.locator("#name-input");
    await input.fill(name);
    await input.press("Enter");
    await expect(input).toHaveCount(0);
    await tab.expectStatus("open");
    return tab;
  }

  async expectStatus(status: "connecting" | "open" | "reconnecting" | "closed", timeout?: number): Promise<void> {
    await expect(this.badge).toHaveAttribute("data-status", status, timeout === undefined ? {} : { timeout });
  }

  /** Types `text` and presses Enter, as a person would. */
  async send(text: string): Promise<void> {
    await this.input.fill(text);
    await this.input.press("Enter");
    await expect(this.input).toHaveValue("");
  }

  /**
   * The chat log in display order: each line's seq, sender and whole text (which includes the
   * author and time when shown, so tests look for unique tokens inside it).
   */
  async transcript(): Promise<Array<{ seq: number; from: string; text: string }>> {
    return this.messages.evaluateAll((elements) =>
      elements.map((element) => ({
        seq: Number(element.getAttribute("data-seq")),
        from: element.getAttribute("data-from") ?? "",
        text: element.textContent ?? "",
      })),
    );
  }

  /** The sidebar entry of one of the user's rooms (`data-unread`, `data-unsent`; a link to open it, a button to leave it). */
  room(room: string): Locator {
    return this.rooms.and(this.page.locator(`[data-room="${room}"]`));
  }

  /** The names of the user's rooms, as the sidebar lists them. */
  async roomNames(): Promise<string[]> {
    return this.rooms.evaluateAll((elements) => elements.map((element) => element.getAttribute("data-room") ?? ""));
  }

  /** Opens one of the user's rooms from the sidebar and waits until it is the one shown. */
  async openRoom(room: string): Promise<void> {
    await this.room(room).locator(".room-link").click();
    await this.expectActiveRoom(room);
  }

  /** Joins a room through the sidebar's room box, as a person types it, and waits until it is shown. */
  async joinRoom(room: string): Promise<void> {
    await this.page.locator("#room-input").fill(room);
    await this.page.locator("#room-input").press("Enter");
    await this.expectActiveRoom(room);
  }

  async expectActiveRoom(room: string): Promise<void> {
    await expect(this.page.locator("h1 .room-name")).toHaveText(`#${room}`);
    await expect(this.room(room).locator(".room-link")).toHaveAttribute("aria-current", "page");
  }

  /** The chat messages that contain `token` (tests use tokens no other message contains). */
  messagesWith(token: string): Locator {
    return this.messages.filter({ hasText: token });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
