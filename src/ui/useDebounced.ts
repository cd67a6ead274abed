import { useEffect, useRef } from 'react';

/** Calls `fn(value)` once `value` has been stable for `ms` (and skips the first render). */
export function useDebouncedEffect<T>(value: T, ms: number, fn: (v: T) => void): void {
  const first = useRef(true);
  const fnRef = useRef(fn);
  useEffect(() => {
    fnRef.current = fn;
  });
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const t = setTimeout(() => fnRef.current(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
}
