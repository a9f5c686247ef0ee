import { describe, expect, it } from "vitest";
import { describeMachine, mergeSettings, systemConfig } from "../../src/sim/machine-settings.js";

describe("machine settings", () => {
  it("the caller's settings override the scenario's machine and defaults fill the rest", () => {
    const merged = mergeSettings({ ramBytes: 8 << 20, policy: "fifo" }, { policy: "lru" });
    const config = systemConfig(merged);
    expect(config.ramBytes).toBe(8 << 20);
    expect(config.policy).toBe("lru");
    expect(config.swapBytes).toBe(16 << 20);
    expect(describeMachine(config)).toMatchObject({ ram: "8M", swap: "16M", policy: "lru" });
  });
});
