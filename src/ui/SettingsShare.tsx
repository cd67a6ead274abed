import { useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { applySettings, saveBlob } from '../store/actions';
import { parseSettingsJson, settingsToJson } from '../store/settings-url';
import './settings-share.css';

/** Export/import the sweep settings as a small JSON file (the URL hash carries them too). */
export function SettingsShare() {
  const { settings, tolerance } = useStore(
    useShallow((s) => ({ settings: s.settings, tolerance: s.tolerance })),
  );
  const fileRef = useRef<HTMLInputElement>(null);
  const [message, setMessage] = useState<string | null>(null);

  async function importFile(file: File) {
    try {
      applySettings(parseSettingsJson(await file.text()));
      setMessage(`Settings loaded from ${file.name}`);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <div className="control settings-share">
      <span className="muted small">settings</span>
      <div className="settings-buttons">
        <button
          type="button"
          data-testid="settings-export"
          title="Download these settings as JSON (the page address carries them too)"
          onClick={() =>
            saveBlob(
              new Blob([settingsToJson({ settings, tolerance })], { type: 'application/json' }),
              'h5squeeze-settings.json',
            )
          }
        >
          Export
        </button>
        <button type="button" onClick={() => fileRef.current?.click()} title="Load settings from a JSON file">
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
      {message && (
        <span className="muted small" role="status">
          {message}
        </span>
      )}
    </div>
  );
}
