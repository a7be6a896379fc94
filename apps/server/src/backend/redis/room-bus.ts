import type { NotifyLevel, User } from "@chatroom/protocol";
import type { Redis } from "ioredis";
import { type BusEvent, busEventSchema, type RoomBus, type RoomBusHandlers, type Unsubscribe } from "../room-bus";
import type { RedisKeys } from "./keys";

export interface RedisRoomBusOptions {
  /** Publishes (typing); a subscribed connection cannot. */
  client: Redis;
  /** A dedicated connection in subscriber mode, without ioredis's auto-resubscribe. */
  subscriber: Redis;
  keys: RedisKeys;
  nodeId: string;
  onError: (error: unknown, context: string) => void;
}

/**
 * Room events over Redis pub/sub, one channel per room. This node's own events are dropped here:
 * its rooms already applied them. After every (re)connect the subscriptions are restored, and once
 * Redis has confirmed them each room is asked to `resync`, since it may have missed events while
 * the connection was down.
 */
export class RedisRoomBus implements RoomBus {
  private readonly handlers = new Map<string, Set<RoomBusHandlers>>();
  private closed = false;

  constructor(private readonly options: RedisRoomBusOptions) {
    options.subscriber.on("message", (channel: string, payload: string) => this.dispatch(channel, payload));
    options.subscriber.on("ready", () => void this.resubscribe());
  }

  async subscribe(room: string, handlers: RoomBusHandlers): Promise<Unsubscribe> {
    let set = this.handlers.get(room);
    if (!set) {
      set = new Set();
      this.handlers.set(room, set);
    }
    set.add(handlers);
    const channel = this.options.keys.channel(room);
    try {
      if (set.size === 1) await this.options.subscriber.subscribe(channel);
    } catch (error) {
      this.remove(room, handlers);
      throw error;
    }
    return async () => {
      if (this.remove(room, handlers) && !this.closed) await this.options.subscriber.unsubscribe(channel);
    };
  }

  async publishTyping(room: string, user: User, active: boolean): Promise<void> {
    const event: BusEvent = { kind: "typing", origin: this.options.nodeId, user, active };
    await this.options.client.publish(this.options.keys.channel(room), JSON.stringify(event));
  }

  async publishStaff(room: string, frame: string): Promise<void> {
    const event: BusEvent = { kind: "staff", origin: this.options.nodeId, frame };
    await this.options.client.publish(this.options.keys.channel(room), JSON.stringify(event));
  }

  async publishNotify(room: string, userId: string, level: NotifyLevel): Promise<void> {
    const event: BusEvent = { kind: "notify", origin: this.options.nodeId, userId, level };
    await this.options.client.publish(this.options.keys.channel(room), JSON.stringify(event));
  }

  /** Stops delivering; the connections are closed by the backend. */
  close(): void {
    this.closed = true;
    this.handlers.clear();
  }

  /** True when that was the room's last subscriber. */
  private remove(room: string, handlers: RoomBusHandlers): boolean {
    const set = this.handlers.get(room);
    if (!set?.delete(handlers)) return false;
    if (set.size > 0) return false;
    this.handlers.delete(room);
    return true;
  }

  private dispatch(channel: string, payload: string): void {
    const room = this.options.keys.roomOf(channel);
    if (room === undefined || !this.handlers.has(room)) return;
    let event: BusEvent;
    try {
      event = decodeBusEvent(payload);
    } catch (error) {
      this.options.onError(error, "unreadable pub/sub message");
      return;
    }
    if (event.origin === this.options.nodeId) return;
    this.each(room, (handlers) => handlers.event(event));
  }

  /**
   * After a (re)connect: subscribe again and wait until Redis has confirmed it (a PING answered
   * after the SUBSCRIBE), so that anything published from now on arrives; then every room reads
   * what it missed before that point.
   */
  private async resubscribe(): Promise<void> {
    if (this.closed || this.handlers.size === 0) return;
    const { subscriber, keys } = this.options;
    try {
      await subscriber.subscribe(...[...this.handlers.keys()].map((room) => keys.channel(room)));
      await subscriber.ping();
    } catch (error) {
      // The next 'ready' (after the next reconnect) tries again.
      this.options.onError(error, "resubscribe after reconnect failed");
      return;
    }
    for (const room of this.handlers.keys()) this.each(room, (handlers) => handlers.resync());
  }

  private each(room: string, call: (handlers: RoomBusHandlers) => void): void {
    for (const handlers of this.handlers.get(room) ?? []) {
      try {
        call(handlers);
      } catch (error) {
        this.options.onError(error, "room event handler failed");
      }
    }
  }
}

/** A message on a room's channel, checked strictly: every kind is published as JSON of its `BusEvent`. */
function decodeBusEvent(payload: string): BusEvent {
  return busEventSchema.parse(JSON.parse(payload));
}
