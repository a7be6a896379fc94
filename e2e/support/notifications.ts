import type { Browser, BrowserContextOptions, Page } from "@playwright/test";
import { TestClient } from "../../apps/server/test/support/test-client";
import { ChatTab } from "./chat-page";

/** One notification the page made, as the recorder saw it. */
export interface RecordedNotification {
  title: string;
  body: string | null;
  tag: string | null;
}

/**
 * Wraps `window.Notification` before the page's scripts run: every notification made is recorded
 * (title, body, tag) and can be clicked from the test (`__clickNotification(i)` runs its onclick),
 * while the real constructor still runs, so the page uses the browser's own API.
 */
function recordNotifications(): void {
  const Real = window.Notification;
  if (!Real) return;
  const made: Notification[] = [];
  const records: { title: string; body: string | null; tag: string | null }[] = [];
  const Recording = function (this: unknown, title: string, options: NotificationOptions = {}) {
    records.push({ title, body: options.body ?? null, tag: options.tag ?? null });
    const real = new Real(title, options);
    made.push(real);
    return real;
  } as unknown as typeof Notification;
  Object.defineProperty(Recording, "permission", { get: () => Real.permission });
  Object.defineProperty(Recording, "requestPermission", { value: (...args: []) => Real.requestPermission(...args) });
  Object.defineProperty(window, "Notification", { value: Recording, configurable: true, writable: true });
  Object.assign(window, {
    __notifications: records,
    __clickNotification: (index: number) => made[index]?.onclick?.call(made[index] as Notification, new Event("click")),
  });
}

/** A participant whose browser context records notifications (`permissions` as given). */
export async function openRecordingTab(
  browser: Browser,
  baseURL: string,
  room: string,
  name: string,
  options: BrowserContextOptions = {},
): Promise<ChatTab> {
  const context = await browser.newContext({ ...options, baseURL });
  await context.addInitScript(recordNotifications);
  const page = await context.newPage();
  const tab = new ChatTab(context, page, name);
  await page.goto(`/r/${room}?name=${encodeURIComponent(name)}`);
  await tab.expectStatus("open");
  return tab;
}

export function notificationsOf(page: Page): Promise<RecordedNotification[]> {
  return page.evaluate(() => (window as unknown as { __notifications: RecordedNotification[] }).__notifications ?? []);
}

export async function clickNotification(page: Page, index: number): Promise<void> {
  await page.evaluate((at) => (window as unknown as { __clickNotification: (i: number) => void }).__clickNotification(at), index);
}

/** The page believes it is in the background (or back on screen): `visibilityState` and the event, as a tab switch gives. */
export async function setPageHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((isHidden) => {
    Object.defineProperty(document, "visibilityState", { configurable: true, get: () => (isHidden ? "hidden" : "visible") });
    Object.defineProperty(document, "hidden", { configurable: true, get: () => isHidden });
    document.dispatchEvent(new Event("visibilitychange"));
  }, hidden);
}

/** Another participant without a browser: a protocol client that says things and edits them, acked. */
export class Speaker {
  private next = 0;
  private constructor(
    private readonly client: TestClient,
    readonly room: string,
  ) {}

  static async join(baseURL: string, room: string, name: string): Promise<Speaker> {
    const client = await TestClient.join(`${baseURL.replace(/^http/, "ws")}/ws`, { room, name });
    return new Speaker(client, room);
  }

  async joinRoom(room: string): Promise<void> {
    await this.client.join(room);
  }

  /** Sends a chat (in `room`, or the first one) and resolves with its seq. */
  async say(text: string, room = this.room): Promise<number> {
    const clientMsgId = `speaker-${this.next++}`;
    const from = this.client.frames.length;
    this.client.chat(room, text, clientMsgId);
    return this.acked(clientMsgId, from);
  }

  async edit(target: number, text: string, room = this.room): Promise<number> {
    const clientMsgId = `speaker-${this.next++}`;
    const from = this.client.frames.length;
    this.client.send({ type: "edit", room, target, text, clientMsgId });
    return this.acked(clientMsgId, from);
  }

  close(): Promise<void> {
    return this.client.close();
  }

  private async acked(clientMsgId: string, from: number): Promise<number> {
    const answer = await this.client.waitFor(
      (frame) => "clientMsgId" in frame && frame.clientMsgId === clientMsgId && frame.type !== "chat",
      {
        from,
        timeoutMs: 15_000,
      },
    );
    if (answer.type !== "ack") throw new Error(`refused: ${JSON.stringify(answer)}`);
    return answer.seq;
  }
}
