/**
 * The machine layer: a simulated i386 PC (physical memory, MMU and TLB, CPU
 * presets), its disk (block devices, MBR partition tables, swap images), the
 * multiboot information a loader leaves, and `createMachine` tying them up.
 * It knows nothing of the kernel.
 */
export * from "./i386.js";
export * from "./physical-memory.js";
export * from "./cpu-model.js";
export * from "./tlb.js";
export * from "./strict-tlb.js";
export * from "./mmu.js";
export * from "./conformance.js";
export * from "./units.js";
export * from "./block-device.js";
export * from "./file-block-device.js";
export * from "./memory-block-device.js";
export * from "./faulty-block-device.js";
export * from "./mbr.js";
export * from "./disk-image.js";
export * from "./memory-map.js";
export * from "./multiboot.js";
export * from "./machine.js";
