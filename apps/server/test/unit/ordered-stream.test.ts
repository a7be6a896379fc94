import { describe, expect, it } from "vitest";
import { OrderedStream } from "../../src/chat/room/ordered-stream";
import { settle } from "./support/recording-seat";

interface Event {
  seq: number;
}

/** A gap filler whose answers the test gives, one request at a time. */
function controlledFiller() {
  const requests: Array<{ after: number; upTo: number; answer: (events: Event[]) => void; fail: (error: Error) => void }> = [];
  const fillGap = (after: number, upTo: number) =>
    new Promise<Event[]>((resolve, reject) => requests.push({ after, upTo, answer: resolve, fail: reject }));
  return { requests, fillGap };
}

function stream(deliveredSeq = 0) {
  const filler = controlledFiller();
  const emitted: number[] = [];
  const errors: unknown[] = [];
  const ordered = new OrderedStream<Event>({
    deliveredSeq,
    fillGap: filler.fillGap,
    emit: (event) => emitted.push(event.seq),
    onFillError: (error) => errors.push(error),
  });
  return { ordered, emitted, errors, requests: filler.requests };
}

const seqs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ({ seq: from + i }));

describe("OrderedStream", () => {
  it("emits events in seq order exactly once, dropping what it already delivered", () => {
    const { ordered, emitted, requests } = stream(3);
    ordered.accept({ seq: 2 });
    ordered.accept({ seq: 4 });
    ordered.accept({ seq: 4 });
    ordered.accept({ seq: 5 });
    expect(emitted).toEqual([4, 5]);
    expect(ordered.deliveredSeq).toBe(5);
    expect(requests).toEqual([]);
  });

  it("holds an event that arrives after a hole, fills the hole from the store, then emits both in order", async () => {
    const { ordered, emitted, requests } = stream(1);
    ordered.accept({ seq: 5 });
    expect(emitted).toEqual([]);
    expect(requests.map(({ after, upTo }) => [after, upTo])).toEqual([[1, 4]]);
    requests[0]?.answer(seqs(2, 4));
    await settle();
    expect(emitted).toEqual([2, 3, 4, 5]);
    expect(ordered.deliveredSeq).toBe(5);
  });

  it("runs one fill at a time, and an event the live stream brings during a fill is not emitted twice", async () => {
    const { ordered, emitted, requests } = stream(0);
    ordered.accept({ seq: 3 });
    ordered.accept({ seq: 6 });
    expect(requests).toHaveLength(1);
    ordered.accept({ seq: 1 });
    requests[0]?.answer(seqs(1, 2));
    await settle();
    expect(emitted).toEqual([1, 2, 3]);
    // The second hole is filled by the same loop.
    expect(requests.map(({ after, upTo }) => [after, upTo])).toEqual([
      [0, 2],
      [3, 5],
    ]);
    requests[1]?.answer(seqs(4, 5));
    await settle();
    expect(emitted).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("catches up to a latest seq the bus may have missed, and does nothing when it is not behind", async () => {
    const { ordered, emitted, requests } = stream(2);
    ordered.catchUp(2);
    ordered.catchUp(1);
    expect(requests).toEqual([]);
    ordered.catchUp(4);
    expect(requests.map(({ after, upTo }) => [after, upTo])).toEqual([[2, 4]]);
    requests[0]?.answer(seqs(3, 4));
    await settle();
    expect(emitted).toEqual([3, 4]);
    expect(requests).toHaveLength(1);
  });

  it("stops when the store has nothing for the hole, and resumes with the next event", async () => {
    const { ordered, emitted, requests } = stream(0);
    ordered.accept({ seq: 3 });
    requests[0]?.answer([]);
    await settle();
    expect(emitted).toEqual([]);
    expect(requests).toHaveLength(1);
    ordered.accept({ seq: 4 });
    expect(requests.map(({ after, upTo }) => [after, upTo])).toEqual([
      [0, 2],
      [0, 2],
    ]);
    requests[1]?.answer(seqs(1, 2));
    await settle();
    expect(emitted).toEqual([1, 2, 3, 4]);
  });

  it("reports a failed fill and fills again on the next event", async () => {
    const { ordered, emitted, errors, requests } = stream(0);
    ordered.accept({ seq: 2 });
    const failure = new Error("store unavailable");
    requests[0]?.fail(failure);
    await settle();
    expect(errors).toEqual([failure]);
    ordered.accept({ seq: 3 });
    requests[1]?.answer(seqs(1, 1));
    await settle();
    expect(emitted).toEqual([1, 2, 3]);
  });
});
