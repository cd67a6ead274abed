// Linux-only: samples the resident memory of a process tree from /proc (proc(5): /proc/<pid>/stat for
// the parent pid, /proc/<pid>/status for VmRSS, /proc/<pid>/cmdline for Chromium's --type=).
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessRss {
  pid: number;
  /** Chromium's process role (`browser`, `renderer`, `gpu-process`, `utility`, `zygote`, …). */
  role: string;
  rssBytes: number;
  /** Proportional set size: shared pages divided among the processes sharing them (null: not read). */
  pssBytes: number | null;
}

export interface MemorySample {
  /** ms since the sampler started. */
  t: number;
  totalRssBytes: number;
  totalPssBytes: number | null;
  processes: ProcessRss[];
}

function parentPid(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return null; // the process exited between readdir and read
  }
}

/** `pid` and all its descendants that are alive now. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const child = Number(name);
    const ppid = parentPid(child);
    if (ppid === null) continue;
    const list = children.get(ppid);
    if (list) list.push(child);
    else children.set(ppid, [child]);
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    out.push(p);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

function rssOf(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0; // zombies have no VmRSS line
  } catch {
    return null;
  }
}

function pssOf(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function roleOf(pid: number): string {
  try {
    // Chromium rewrites its process title, so arguments may be separated by spaces rather than NULs.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    const type = argv.find((a) => a.startsWith('--type='));
    if (!type) return 'browser';
    const sub = argv.find((a) => a.startsWith('--utility-sub-type='));
    return type.slice('--type='.length) + (sub ? `:${sub.slice('--utility-sub-type='.length)}` : '');
  } catch {
    return '?';
  }
}

/** Chromium processes started by this Node process (Playwright spawns the browser as our child). */
export function chromiumChildren(): number[] {
  const me = process.pid;
  return processTree(me).filter((pid) => {
    if (pid === me || parentPid(pid) !== me) return false;
    try {
      return /chrom/i.test(readFileSync(`/proc/${pid}/comm`, 'utf8'));
    } catch {
      return false;
    }
  });
}

/**
 * Sums VmRSS over a process tree every `intervalMs`. Summed RSS counts pages shared between the
 * processes (libraries, shared memory) once per process, so it overstates the true footprint; it is
 * what `top` would make a user believe, and it is comparable across runs. The summed PSS (from
 * /proc/<pid>/smaps_rollup) splits shared pages among their sharers and is sampled alongside.
 */
export class RssSampler {
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly roles = new Map<number, string>();
  private readonly t0 = performance.now();
  readonly samples: MemorySample[] = [];
  /** The sample with the largest summed RSS. */
  peak: MemorySample | null = null;
  /** The sample with the largest summed PSS (a better estimate of the real footprint). */
  peakPss: MemorySample | null = null;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 200,
  ) {}

  /** Reading smaps_rollup costs ~2 ms per Chromium process (it walks the page tables), so PSS is read
   * on every `pssEvery`-th sample only, to keep the sampler's own CPU use small on a 2-core machine. */
  private readonly pssEvery = 5;
  private count = 0;

  sample(): MemorySample {
    const withPss = this.count++ % this.pssEvery === 0;
    const processes: ProcessRss[] = [];
    for (const pid of processTree(this.rootPid)) {
      const rss = rssOf(pid);
      if (rss === null) continue;
      let role = this.roles.get(pid);
      if (role === undefined) {
        role = roleOf(pid);
        this.roles.set(pid, role);
      }
      processes.push({ pid, role, rssBytes: rss, pssBytes: withPss ? pssOf(pid) : null });
    }
    const s: MemorySample = {
      t: performance.now() - this.t0,
      totalRssBytes: processes.reduce((a, p) => a + p.rssBytes, 0),
      totalPssBytes: withPss ? processes.reduce((a, p) => a + (p.pssBytes ?? 0), 0) : null,
      processes,
    };
    this.samples.push(s);
    if (!this.peak || s.totalRssBytes > this.peak.totalRssBytes) this.peak = s;
    if (s.totalPssBytes !== null && s.totalPssBytes > (this.peakPss?.totalPssBytes ?? -1)) this.peakPss = s;
    return s;
  }

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.count = 0; // the last sample includes PSS
    this.sample();
  }
}
