// Result files kept for download within a byte budget, smallest first: the file a user downloads is
// usually the smallest within their tolerance, so a smaller file evicts bigger ones, never the other
// way round. Files not kept are written again when the user downloads them (the bytes are
// deterministic).
//
// The sweep workers keep these, not the page: a buffer transferred from a worker stays resident in
// the page until the page's next garbage collection even after it is detached (measured in Chromium:
// a 300 MB transfer stayed after `transfer(0)`), so every file the page received and later evicted
// was resident garbage: on the 159 MB example the renderer peaked ~230 MiB lower with no files sent
// at all. The worker made the bytes, so it frees what it evicts at once (core/release.ts).
import { releaseBuffers } from './release';

const NOTHING = new Set<ArrayBufferLike>();

export class KeptFiles {
  private readonly files = new Map<string, Uint8Array>();
  private kept = 0;

  constructor(readonly budgetBytes: number) {}

  /** Bytes held now (never above the budget). */
  get bytes(): number {
    return this.kept;
  }

  has(key: string): boolean {
    return this.files.has(key);
  }

  get(key: string): Uint8Array | undefined {
    return this.files.get(key);
  }

  /**
   * The biggest file `put` would keep now (evicting bigger ones), 0 when none: a job asks before it
   * copies its file out, so files that would be dropped at once are never copied.
   */
  largestAccepted(): number {
    const sizes = [...this.files.values()].map((b) => b.byteLength).sort((a, b) => a - b);
    // With the j smallest files kept (every bigger one evicted), x fits when prefix_j + x ≤ budget and
    // x lies between the j-th size and the next (files of x's own size are not evicted).
    let best = 0;
    let prefix = 0;
    for (let j = 0; j <= sizes.length; j++) {
      if (j > 0) prefix += sizes[j - 1]!;
      const lo = j > 0 ? sizes[j - 1]! : 0;
      const hi = j < sizes.length ? sizes[j]! - 1 : Infinity;
      const x = Math.min(hi, this.budgetBytes - prefix);
      if (x >= lo) best = Math.max(best, x);
    }
    return best;
  }

  /**
   * Keeps `bytes` under `key` if they fit, evicting bigger files; returns whether they were kept.
   * The cache owns `bytes` from here on: what it does not keep, or evicts, is freed.
   */
  put(key: string, bytes: Uint8Array): boolean {
    if (this.files.has(key) || bytes.byteLength > this.largestAccepted()) {
      releaseBuffers([bytes], NOTHING);
      return false;
    }
    while (this.kept + bytes.byteLength > this.budgetBytes) {
      let largest: string | null = null;
      for (const [k, b] of this.files)
        if (
          b.byteLength > bytes.byteLength &&
          (!largest || b.byteLength > this.files.get(largest)!.byteLength)
        )
          largest = k;
      // largestAccepted() guarantees a bigger file is left to evict while over budget.
      const evicted = this.files.get(largest!)!;
      this.files.delete(largest!);
      this.kept -= evicted.byteLength;
      releaseBuffers([evicted], NOTHING);
    }
    this.files.set(key, bytes);
    this.kept += bytes.byteLength;
    return true;
  }

  /** Drops (and frees) every file. */
  clear(): void {
    releaseBuffers(this.files.values(), NOTHING);
    this.files.clear();
    this.kept = 0;
  }
}
