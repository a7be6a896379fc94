import { describe, expect, it } from "vitest";
import { CLUSTER_INBOUND_TARGET, cpuBudget } from "../src/cluster-report";

describe("cpuBudget", () => {
  it("caps the rate at the cores' CPU over the CPU per message, and says what the target leaves per message", () => {
    // 250 µs of CPU per stored message on 2 cores: at most 8,000 msgs/s, whatever the split;
    // 20,000 msgs/s on 2 cores leaves 100 µs per message for everything.
    expect(cpuBudget(250, 2)).toEqual({ cores: 2, allCpuUsPerStored: 250, cpuCeilingPerSec: 8_000, targetBudgetUsPerStored: 100 });
    expect(cpuBudget(50, 4).cpuCeilingPerSec).toBe(80_000);
    expect(cpuBudget(1, 1).targetBudgetUsPerStored).toBe(1e6 / CLUSTER_INBOUND_TARGET);
  });
});
