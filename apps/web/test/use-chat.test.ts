import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setup } from "../../../packages/client/test/support/client-setup";
import { chat } from "../../../packages/client/test/support/fakes";
import { chatSubscription, coalesceNotifications } from "../src/hooks/use-chat";

describe("the subscription useChat hands React", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("tells React of a burst of frames from the server once, after the burst", () => {
    const t = setup();
    t.connect();
    const renders = vi.fn();
    chatSubscription(t.client)(renders);
    vi.runAllTimers();
    renders.mockClear();

    // A busy room: the frames queued on the socket are handled back to back.
    for (let seq = 1; seq <= 200; seq++) t.sockets.last.receive(chat(seq));
    expect(renders).not.toHaveBeenCalled();
    vi.runAllTimers();
    expect(renders).toHaveBeenCalledTimes(1);
    expect(t.chatSeqs()).toHaveLength(200);

    // The next change is told again.
    t.sockets.last.receive(chat(201));
    vi.runAllTimers();
    expect(renders).toHaveBeenCalledTimes(2);
  });

  it("keeps one subscription function per client, so React does not subscribe again on every render", () => {
    const t = setup();
    expect(chatSubscription(t.client)).toBe(chatSubscription(t.client));
  });

  it("drops a notification still due when React unsubscribes", () => {
    const listeners = new Set<() => void>();
    const subscribe = coalesceNotifications((listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    });
    const listener = vi.fn();
    const unsubscribe = subscribe(listener);
    for (const notify of listeners) notify();
    unsubscribe();
    expect(listeners.size).toBe(0);
    vi.runAllTimers();
    expect(listener).not.toHaveBeenCalled();
  });
});
