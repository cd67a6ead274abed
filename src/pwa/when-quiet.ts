// Deferring background work (the service worker's precache) until no file is loading or being swept.

/** The page stays quiet this long before `whenQuiet` runs its task. */
export const QUIET_MS = 2000;

/**
 * Runs `run` once, when the page has been quiet (`busy()` false) for QUIET_MS. main.tsx registers the
 * service worker so: its install precaches the whole build (~8 MB, h5wasm's wasm 3.5 MB of it),
 * which must not compete with a file being loaded or swept for the cores and memory. `subscribe`
 * calls back on every change of what `busy` reads; a file dropped the moment the page appears defers
 * the precache until its sweep is done.
 */
export function whenQuiet(
  busy: () => boolean,
  subscribe: (onChange: () => void) => () => void,
  run: () => void,
): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let unsubscribe: (() => void) | null = null;
  const check = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    if (busy()) return;
    timer = setTimeout(() => {
      if (busy()) return;
      unsubscribe?.();
      run();
    }, QUIET_MS);
  };
  unsubscribe = subscribe(check);
  check();
}
