import { startTransition, useEffect, useState } from 'react';
import type { RefObject } from 'react';

/**
 * Width (px) of the element, kept up to date; null until measured. Read from a ResizeObserver (after
 * the browser's own layout), never by forcing a layout in the middle of a render's commit; a new
 * width re-renders in the background (a transition).
 */
export function useWidth(ref: RefObject<HTMLElement | null>): number | null {
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (typeof ResizeObserver === 'undefined') return setWidth(Math.round(el.getBoundingClientRect().width));
    const ro = new ResizeObserver(([e]) => {
      if (e) startTransition(() => setWidth(Math.round(e.contentRect.width)));
    });
    ro.observe(el);
    return () => ro.disconnect();
  }, [ref]);
  return width;
}
