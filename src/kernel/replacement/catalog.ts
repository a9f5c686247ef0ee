/**
 * What `vmm386 policies` tells about each policy: one line on what it does,
 * where it comes from (paper, and libCacheSim's name when it has it) and its
 * parameters, which each policy file declares beside the code that reads
 * them. A new policy adds its entry here and its factory in `index.ts`.
 */
import { CLOCK_PRO_PARAMS } from "./clock-pro.js";
import type { PolicyName } from "./index.js";
import { LIRS_PARAMS } from "./lirs.js";
import { MGLRU_PARAMS } from "./mglru.js";
import type { PolicyParamSpec } from "./params.js";
import { S3_FIFO_PARAMS } from "./s3-fifo.js";
import { SLRU_PARAMS } from "./slru.js";
import { TWO_Q_PARAMS } from "./two-q.js";

export interface PolicyInfo {
  /** What it evicts, in one line. */
  readonly summary: string;
  /** The paper or source it follows. */
  readonly paper: string;
  /** libCacheSim's name for it (`cachesim ... NAME`), when libCacheSim has it. */
  readonly libCacheSim?: string;
  readonly params: readonly PolicyParamSpec[];
}

export const POLICY_INFO: Readonly<Record<PolicyName, PolicyInfo>> = {
  clock: { summary: "one-hand second chance on the Accessed bits (the seed's, the default)", paper: "Corbató 1968", libCacheSim: "Clock (new pages unreferenced: replay --clock-r0)", params: [] },
  fifo: { summary: "the page loaded longest ago", paper: "textbook", libCacheSim: "FIFO", params: [] },
  lru: { summary: "the page referenced least recently", paper: "textbook", libCacheSim: "LRU", params: [] },
  opt: { summary: "the page used farthest in the future (needs a recorded reference string)", paper: "Belady 1966", libCacheSim: "Belady", params: [] },
  arc: { summary: "adaptive split between recency (T1) and frequency (T2) lists with ghosts", paper: "Megiddo & Modha, FAST '03", libCacheSim: "ARC", params: [] },
  sieve: { summary: "FIFO queue with visited bits and a hand that stays in place", paper: "Zhang et al., NSDI '24", libCacheSim: "Sieve", params: [] },
  "s3-fifo": { summary: "small FIFO for new pages, main FIFO with reinsertion, ghost FIFO", paper: "Yang et al., SOSP '23", libCacheSim: "S3FIFO", params: S3_FIFO_PARAMS },
  "2q": { summary: "FIFO A1in for first faults, ghost A1out, LRU Am for pages seen again", paper: "Johnson & Shasha, VLDB '94", libCacheSim: "TwoQ", params: TWO_Q_PARAMS },
  lirs: { summary: "evict by inter-reference recency: LIR pages stay, resident HIR pages go", paper: "Jiang & Zhang, SIGMETRICS '02", libCacheSim: "LIRS (differs on HIR hits outside the stack, docs/policies.md)", params: LIRS_PARAMS },
  slru: { summary: "LRU segments: faults enter the lowest, hits promote one segment up", paper: "Karedla, Love & Wherry, IEEE Computer 1994", libCacheSim: "SLRU", params: SLRU_PARAMS },
  lfu: { summary: "the page referenced least often since it was loaded (ties: the older count)", paper: "textbook", libCacheSim: "LFU", params: [] },
  "clock-pro": { summary: "LIRS on a clock: hot and cold pages, test periods, three hands", paper: "Jiang, Chen & Zhang, USENIX ATC '05", params: CLOCK_PRO_PARAMS },
  linux: {
    summary: "active/inactive lists for anonymous pages, promotion on a second reference, refault-distance activation",
    paper: "Linux mm/vmscan.c, mm/workingset.c (5.9+)",
    params: [],
  },
  mglru: {
    summary: "generations aged by a page-table walk, eviction from the oldest, tiers for refaults, min_ttl",
    paper: "Linux multi-gen LRU, mm/vmscan.c (6.5-6.8)",
    params: MGLRU_PARAMS,
  },
};
