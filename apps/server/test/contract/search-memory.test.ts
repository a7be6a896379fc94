import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { describeSearchContract } from "./search/search-contract";

describeSearchContract("memory", async ({ now }) => {
  const backend = new MemoryBackend({ nodeId: "node-memory", now });
  return { backend, cleanup: () => backend.close() };
});
