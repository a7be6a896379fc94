import type { RoomBus, Unsubscribe } from "./room-bus";

/** The bus of a single node: no other node publishes, and there is no connection to lose. */
export const localRoomBus: RoomBus = {
  async subscribe(): Promise<Unsubscribe> {
    return async () => {};
  },
  async publishTyping(): Promise<void> {},
  async publishStaff(): Promise<void> {},
  async publishNotify(): Promise<void> {},
};
