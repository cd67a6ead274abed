/// <reference types="vite-plugin-pwa/vanillajs" />
// Registers the service worker built by vite-plugin-pwa (precache of the build only) and keeps the
// facts the notices need: offline-ready, and "a new build is waiting". A new build never takes over
// by itself: it would reload the page and drop the loaded array and results mid-sweep, so the
// notice offers the reload and the user picks the moment.
import { registerSW } from 'virtual:pwa-register';
import { create } from 'zustand';

export interface PwaState {
  /** The build is precached: the app loads and runs with the network off. */
  offlineReady: boolean;
  /** A newer build is installed and waiting for a reload. */
  updateReady: boolean;
  /** Why registration failed (e.g. a host serving over plain http from a non-local name). */
  registerError: string | null;
}

export const usePwa = create<PwaState>()(() => ({
  offlineReady: false,
  updateReady: false,
  registerError: null,
}));

let applyUpdate: ((reload?: boolean) => Promise<void>) | null = null;

/** Activates the waiting build and reloads the page into it. */
export function reloadIntoUpdate(): void {
  void applyUpdate?.(true);
}

export function dismissUpdate(): void {
  usePwa.setState({ updateReady: false });
}

export function registerServiceWorker(): void {
  if (typeof navigator === 'undefined' || !('serviceWorker' in navigator)) return;
  applyUpdate = registerSW({
    onOfflineReady: () => usePwa.setState({ offlineReady: true }),
    onNeedRefresh: () => usePwa.setState({ updateReady: true }),
    onRegisterError: (e: unknown) => usePwa.setState({ registerError: String(e) }),
  });
  // Later visits: an active worker means the precache is complete.
  void navigator.serviceWorker.ready.then(() => usePwa.setState({ offlineReady: true }));
}
