import type { BrowserContext } from "@playwright/test";

/**
 * A context's WebSocket link that the test can cut and restore, like Wi-Fi dropping with the socket
 * still "open": while `dead`, frames go nowhere in either direction and new connections fail at once
 * (like ERR_INTERNET_DISCONNECTED). A connection that was open when the link died stays silent after
 * it comes back: a real connection that lost frames is broken for good (TCP delivers in order or not
 * at all), so only a new one works, and the client has to notice and reconnect.
 */
export class SilenceableLink {
  private isDead = false;
  /** Grows at every cut: a connection works only in the generation it was opened in. */
  private generation = 0;

  get dead(): boolean {
    return this.isDead;
  }

  set dead(value: boolean) {
    if (value && !this.isDead) this.generation++;
    this.isDead = value;
  }

  /**
   * Routes every `/ws` connection of `context` through this link. `onDelivered` sees each frame of
   * the page's that the link passed on to the server, for tests that wait until the server heard something.
   */
  async install(context: BrowserContext, onDelivered: (frame: string) => void = () => {}): Promise<void> {
    await context.routeWebSocket(/\/ws/, (ws) => {
      if (this.isDead) return void ws.close({ code: 1001 });
      const opened = this.generation;
      const alive = () => !this.isDead && this.generation === opened;
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        if (!alive()) return;
        server.send(message);
        onDelivered(String(message));
      });
      server.onMessage((message) => {
        if (alive()) ws.send(message);
      });
    });
  }
}
