import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';
import { restoreSettingsFromUrl, warmUp } from './store/actions';
import { OfflineLine, TopNotices } from './pwa/AppNotices';
import { registerServiceWorker } from './pwa/register';

// Before the first render, so the controls start from a shared link's settings.
restoreSettingsFromUrl();
// Workers compile h5wasm while the page is idle, after the first paint.
setTimeout(warmUp, 0);
// Offline: the service worker precaches the build (not in the dev server).
registerServiceWorker();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <TopNotices />
    <App />
    <OfflineLine />
  </StrictMode>,
);
