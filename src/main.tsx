import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './ui/App';
import './ui/styles.css';
import { restoreSettingsFromUrl } from './store/actions';

// Before the first render, so the controls start from a shared link's settings.
restoreSettingsFromUrl();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
