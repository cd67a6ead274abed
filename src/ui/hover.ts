// Which result the pointer (or keyboard focus) is on, shared by the chart and the table so each can
// highlight the other's. UI-only and short-lived, so it lives here rather than in the app's store.
import { create } from 'zustand';

export type HoverSource = 'chart' | 'table';

interface HoverState {
  id: string | null;
  source: HoverSource | null;
}

export const useHover = create<HoverState>()(() => ({ id: null, source: null }));

export function setHovered(id: string, source: HoverSource): void {
  useHover.setState({ id, source });
}

/** Clears the hover, but only if it is still the one `source` set for `id`. */
export function clearHovered(id: string, source: HoverSource): void {
  const s = useHover.getState();
  if (s.id === id && s.source === source) useHover.setState({ id: null, source: null });
}
