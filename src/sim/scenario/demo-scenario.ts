/**
 * The built-in demo (`vmm386 demo`, `npm start`, and the playground's first
 * run): a shell forks an editor and a compiler on a 3 MiB machine, COW
 * splits their pages, and together they need more RAM than there is, so
 * pages go out to swap and come back.
 */

/** The demo scenario, in the same YAML a user would write (see examples/). */
export const DEMO_SCENARIO = `
name: vmm386 demo — fork, copy-on-write and swapping
description: >-
  A shell fills 512 KiB of heap and forks an editor and a compiler. Their
  writes to shared pages are copy-on-write faults; their own allocations
  push the 3 MiB machine past its RAM, so CLOCK evicts pages to the swap
  partition of a temporary disk image and they fault back in as swap-ins.
machine:
  ram: 3M
  swap: 16M
  cpu: i486
  policy: clock
ticksPerRound: 10
processes:
  - name: shell
    steps:
      - brk: +512K
      - touch: {at: heap, length: 512K, access: write}
      - fork: editor
      - fork: compiler
      - repeat:
          times: 24
          steps:
            - touch: {at: heap, length: 512K, pattern: hotcold, count: 500, access: mixed, writeRatio: 0.1, seed: 1}
      - exit: 0
  - name: editor
    steps:
      - touch: {at: heap, length: 128K, access: write, pattern: strided}
      - brk: +768K
      - repeat:
          times: 16
          steps:
            - touch: {at: heap+512K, length: 768K, access: mixed, pattern: hotcold, count: 750, seed: 2}
      - copyOut: {at: stack-4K, text: "saved 42 lines"}
      - exit: 0
  - name: compiler
    steps:
      - brk: +1M
      - repeat:
          times: 12
          steps:
            - touch: {at: heap+512K, length: 256K, access: write, pattern: sequential, stride: 256}
            - touch: {at: heap+768K, length: 256K, access: write, pattern: sequential, stride: 256}
            - touch: {at: heap+1M, length: 512K, access: read, pattern: strided}
            - touch: {at: stack-32K, length: 32K, access: write}
      - touch: {at: heap, length: 512K, access: read, pattern: strided}
      - exit: 0
`;
