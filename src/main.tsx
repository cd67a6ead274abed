import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';
import { restoreSettingsFromUrl, warmUp } from './store/actions';
import { OfflineLine, TopNotices } from './pwa/AppNotices';
import { registerServiceWorker } from './pwa/register';
import { whenQuiet } from './pwa/when-quiet';
import { useStore } from './store/store';

// Before the first render, so the controls start from a shared link's settings.
restoreSettingsFromUrl();
// Workers compile h5wasm while the page is idle, after the first paint.
setTimeout(warmUp, 0);
// Offline: the service worker precaches the build (not in the dev server), once no file is loading or
// being swept.
whenQuiet(
  () => {
    const s = useStore.getState();
    return s.loadStatus === 'loading' || s.sweepStatus === 'running';
  },
  useStore.subscribe,
  registerServiceWorker,
);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TopNotices />
    <App />
    <OfflineLine />
  </StrictMode>,
);
