/**
 * The EYN-OS virtual address space (3 GiB user / 1 GiB kernel, high-half kernel):
 *
 *   0x00000000 ┌──────────────────────┐
 *              │ null guard (unmapped)│
 *   0x00400000 ├──────────────────────┤ USER_CODE_BASE
 *              │ user code and data   │
 *   0x40000000 ├──────────────────────┤ USER_HEAP_BASE
 *              │ heap, grows up (brk) │
 *   0x80000000 ├──────────────────────┤ USER_SHARED_BASE
 *              │ shared / mmap        │
 *   0xB0000000 ├──────────────────────┤ USER_STACK_BASE
 *              │ stack, grows down    │
 *   0xC0000000 ├──────────────────────┤ KERNEL_BASE: all RAM aliased at KERNEL_BASE + phys
 *   0xD0000000 ├──────────────────────┤ kernel heap
 *   0xFFC00000 ├──────────────────────┤ recursive slot: page table N at 0xFFC00000 + N·4096,
 *              │                      │ the page directory itself at 0xFFFFF000
 *   0xFFFFFFFF └──────────────────────┘
 */

export const USER_CODE_BASE = 0x00400000;
export const USER_CODE_END = 0x40000000;
export const USER_HEAP_BASE = 0x40000000;
export const USER_HEAP_END = 0x80000000;
export const USER_SHARED_BASE = 0x80000000;
export const USER_SHARED_END = 0xb0000000;
export const USER_STACK_BASE = 0xb0000000;
export const USER_STACK_TOP = 0xc0000000;
export const KERNEL_BASE = 0xc0000000;
export const KERNEL_HEAP_BASE = 0xd0000000;
export const KERNEL_HEAP_END = 0xff800000;
/** Page-directory slot that points at the directory itself. */
export const RECURSIVE_PD_INDEX = 1023;
export const RECURSIVE_BASE = 0xffc00000;
/** First directory slot of the kernel half (KERNEL_BASE >> 22). */
export const KERNEL_PD_INDEX = 768;

/** Linear address at which page table `pdi` appears through the recursive slot. */
export function recursivePageTableVa(pdi: number): number {
  return RECURSIVE_BASE + pdi * 4096;
}
/** Linear address of the page directory through the recursive slot. */
export const RECURSIVE_PD_VA = 0xfffff000;
