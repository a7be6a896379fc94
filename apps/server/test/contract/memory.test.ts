import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { describeBackendContract } from "./backend-contract";

describeBackendContract("memory", async ({ now }) => {
  const backend = new MemoryBackend({ nodeId: "node-memory", now });
  return { backend, cleanup: () => backend.close() };
});
