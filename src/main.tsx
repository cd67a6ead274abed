import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';
import { restoreSettingsFromUrl, warmUp } from './store/actions';

// Before the first render, so the controls start from a shared link's settings.
restoreSettingsFromUrl();
// Workers compile h5wasm while the page is idle, after the first paint.
setTimeout(warmUp, 0);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
