import { useEffect, useState } from 'react';

/**
 * How many of `steps` later parts of a subtree may be mounted: 0 when `active` turns true, then one
 * more in the task after each painted frame, so the browser lays out each part in its own task. A
 * hidden tab paints no frames: a fallback timer moves on anyway. Back to 0 when `active` is false.
 */
export function useStagedMount(active: boolean, steps: number, fallbackMs = 250): number {
  const [stage, setStage] = useState(0);
  useEffect(() => {
    if (!active || stage >= steps) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // requestAnimationFrame runs just before the frame's layout and paint; a task queued from it runs
    // after them.
    const frame = requestAnimationFrame(() => {
      timer = setTimeout(() => setStage((s) => Math.max(s, stage + 1)), 0);
    });
    const fallback = setTimeout(() => setStage((s) => Math.max(s, stage + 1)), fallbackMs);
    return () => {
      cancelAnimationFrame(frame);
      clearTimeout(timer);
      clearTimeout(fallback);
    };
  }, [active, stage, steps, fallbackMs]);
  useEffect(() => {
    if (active) return;
    return () => setStage(0);
  }, [active]);
  return active ? stage : 0;
}
