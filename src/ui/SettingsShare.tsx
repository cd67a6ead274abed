import { useRef, useState, useSyncExternalStore } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import {
  applySettings,
  dismissLinkNotice,
  getLinkNotice,
  saveBlob,
  subscribeLinkNotice,
} from '../store/actions';
import { describePatch, parseSettingsJson, settingsToHash, settingsToJson } from '../store/settings-url';
import './settings-share.css';

/**
 * Export/import every setting (tolerance and its unit, ε/D following or by hand, gzip, layouts,
 * codecs, hdf5plugin files) as a small JSON file, or copy the page address, which carries them too.
 */
export function SettingsShare() {
  const shared = useStore(
    useShallow((s) => ({
      settings: s.settings,
      tolerance: s.tolerance,
      toleranceMode: s.toleranceMode,
      allowPlugins: s.allowPlugins,
    })),
  );
  const fileRef = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<{ text: string; bad: boolean } | null>(null);

  async function importFile(file: File) {
    try {
      const patch = parseSettingsJson(await file.text());
      applySettings(patch);
      const what = describePatch(patch);
      setMessage({
        text: what.length > 0 ? `From ${file.name}: ${what.join(', ')}.` : `${file.name} sets nothing.`,
        bad: false,
      });
    } catch (e) {
      setMessage({ text: e instanceof Error ? e.message : String(e), bad: true });
    }
  }

  return (
    <div className="settings-share">
      <span className="muted small" id="settings-share-label">
        settings
      </span>
      <div className="settings-buttons" role="group" aria-labelledby="settings-share-label">
        <button
          type="button"
          className="small-button"
          data-testid="settings-copy-link"
          title="Copy this page’s address: it carries every setting"
          onClick={() => {
            // Built from the settings (the address has no hash until a setting changes).
            const link = `${window.location.origin}${window.location.pathname}#${settingsToHash(shared)}`;
            const failed = () =>
              setMessage({ text: 'Could not copy: copy the address bar instead.', bad: true });
            if (!navigator.clipboard) return failed();
            navigator.clipboard
              .writeText(link)
              .then(
                () => setMessage({ text: 'Link copied: it opens with these settings.', bad: false }),
                failed,
              );
          }}
        >
          Copy link
        </button>
        <button
          type="button"
          className="small-button"
          data-testid="settings-export"
          title="Download every setting as JSON"
          onClick={() =>
            saveBlob(
              new Blob([settingsToJson(shared)], { type: 'application/json' }),
              'h5squeeze-settings.json',
            )
          }
        >
          Export
        </button>
        <button
          type="button"
          className="small-button"
          onClick={() => fileRef.current?.click()}
          title="Load settings from a JSON file"
        >
          Import…
        </button>
        <input
          ref={fileRef}
          data-testid="settings-import"
          type="file"
          accept=".json,application/json"
          hidden
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (f) void importFile(f);
          }}
        />
      </div>
      <span className={`small ${message?.bad ? 'fail' : 'muted'}`} role="status">
        {message?.text}
      </span>
    </div>
  );
}

/** "Settings from the link applied: …", once per link opened, until dismissed. */
export function LinkNotice() {
  const items = useSyncExternalStore(subscribeLinkNotice, getLinkNotice);
  if (!items || items.length === 0) return null;
  return (
    <div className="link-notice" role="status" data-testid="link-notice">
      <span>
        <strong>Settings from the link applied:</strong> {items.join(', ')}.
      </span>
      <button
        type="button"
        className="ghost"
        aria-label="Dismiss the link notice"
        onClick={dismissLinkNotice}
      >
        ×
      </button>
    </div>
  );
}
