import type { OutboundBatch, Removal, RoomSeat } from "../../../src/chat/ports";

/** A seat that records what reaches it, decoded, in order. */
export class RecordingSeat implements RoomSeat {
  readonly received: unknown[] = [];
  readonly batches: OutboundBatch[] = [];
  closedWith: { code: number; reason: string } | null = null;
  removedWith: Removal | null = null;
  renamedTo: string | null = null;

  constructor(readonly userId: string) {}

  deliver(data: string | Buffer): void {
    this.received.push(JSON.parse(data.toString()));
  }

  deliverBatch(batch: OutboundBatch): void {
    this.batches.push(batch);
    for (const frame of batch.frames) this.received.push(JSON.parse(frame.toString()));
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  removed(removal: Removal): void {
    this.removedWith = removal;
  }

  renamedBy(name: string): void {
    this.renamedTo = name;
  }

  /** Frames of one type, for assertions. */
  ofType(type: string): Array<Record<string, unknown>> {
    return this.received.filter((frame): frame is Record<string, unknown> => (frame as { type?: string }).type === type);
  }
}

/** Lets queued microtasks (the broadcaster's per-tick flush, a gap fill's await) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
