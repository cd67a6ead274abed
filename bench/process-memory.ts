// Linux-only: samples the resident memory and CPU time of a process tree from /proc (proc(5):
// /proc/<pid>/stat for the parent pid and utime/stime, /proc/<pid>/status for VmRSS,
// /proc/<pid>/cmdline for Chromium's --type=).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second for utime/stime (sysconf(_SC_CLK_TCK); 100 on every common Linux). */
const CLK_TCK = ((): number => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

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

/** Fields 3… of /proc/<pid>/stat (index 0 = state, 1 = ppid, 11 = utime, 12 = stime), or null. */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may itself contain spaces or ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process exited between readdir and read
  }
}

function parentPid(pid: number): number | null {
  const f = statFields(pid);
  return f ? Number(f[1]) : null;
}

/** User + system CPU time of a process (all its threads) so far, in ms. */
function cpuMsOf(pid: number): number | null {
  const f = statFields(pid);
  return f ? ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK : null;
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

/** CPU ms so far of each thread of a process, keyed by thread name (/proc/<pid>/task/<tid>/comm). */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      // The main thread's tid is the pid; its comm is just the process name, so call it `main`.
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ms = ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
      out.set(name, (out.get(name) ?? 0) + ms);
    } catch {
      // thread exited
    }
  }
  return out;
}

/** PSS of one process in bytes (smaps_rollup, proc(5)); 0 once it has exited. */
export function pssOf(pid: number): number {
  try {
    const m = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** A Chromium process's role: its --type (with a utility's sub-type), or `browser`. */
export function roleOf(pid: number): string {
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
  /** performance.now() when the sampler was made: samples' `t` counts from here. */
  readonly t0 = performance.now();
  readonly samples: MemorySample[] = [];
  /** The sample with the largest summed RSS. */
  peak: MemorySample | null = null;
  /** The sample with the largest summed PSS (a better estimate of the real footprint). */
  peakPss: MemorySample | null = null;
  /** CPU ms per process at start() and at the latest sample; processes born later start at 0. */
  private readonly cpuAtStart = new Map<number, number>();
  private readonly cpuLatest = new Map<number, number>();

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
      const cpu = cpuMsOf(pid);
      if (cpu !== null) this.cpuLatest.set(pid, cpu);
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

  private readonly threadsAtStart = new Map<number, Map<string, number>>();
  private readonly threadsAtStop = new Map<number, Map<string, number>>();

  start(): void {
    this.sample();
    for (const [pid, ms] of this.cpuLatest) this.cpuAtStart.set(pid, ms);
    for (const pid of this.cpuLatest.keys()) this.threadsAtStart.set(pid, threadCpuMs(pid));
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /**
   * CPU ms used since start() by role (a process that exited between samples loses its last
   * interval). With other load on the machine this is steadier than wall time: it counts only the
   * time the processes actually ran.
   */
  cpuMsByRole(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [pid, ms] of this.cpuLatest) {
      const role = this.roles.get(pid) ?? '?';
      out[role] = (out[role] ?? 0) + ms - (this.cpuAtStart.get(pid) ?? 0);
    }
    return out;
  }

  /**
   * CPU ms since start() by `role/thread name`, e.g. `renderer/main` (the page's main thread) or `renderer/DedicatedWorker` (the app's workers, summed). Threads that ended before
   * stop() are missing.
   */
  cpuMsByThread(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [pid, threads] of this.threadsAtStop) {
      const before = this.threadsAtStart.get(pid);
      for (const [name, ms] of threads) {
        const key = `${this.roles.get(pid) ?? '?'}/${name}`;
        const used = ms - (before?.get(name) ?? 0);
        if (used > 0) out[key] = (out[key] ?? 0) + used;
      }
    }
    return out;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.count = 0; // the last sample includes PSS
    this.sample();
    for (const pid of this.cpuLatest.keys()) this.threadsAtStop.set(pid, threadCpuMs(pid));
  }
}
