import { useEffect, useRef, useState } from 'react';
import { loadFile } from '../store/actions';

/** The drop target card, the hidden file input behind it, and a page-wide drop overlay. */
export function DropZone({ compact = false }: { compact?: boolean }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => {
    let depth = 0;
    const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const over = (e: DragEvent) => {
      if (hasFiles(e)) e.preventDefault();
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      const file = e.dataTransfer?.files[0];
      if (file) void loadFile(file);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', over);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', over);
      window.removeEventListener('drop', drop);
    };
  }, []);

  return (
    <>
      <div
        className={`drop-zone${compact ? ' compact' : ''}`}
        data-testid="drop-zone"
        role="button"
        tabIndex={0}
        onClick={() => inputRef.current?.click()}
        onKeyDown={(e) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            inputRef.current?.click();
          }
        }}
      >
        <div className="drop-icon" aria-hidden="true">
          ⤓
        </div>
        <div>
          <strong>Drop a .npy file</strong> anywhere, or <span className="link">choose one</span>
          {!compact && <div className="muted">It stays on your machine: nothing is uploaded.</div>}
        </div>
        <input
          ref={inputRef}
          type="file"
          accept=".npy"
          data-testid="file-input"
          hidden
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) void loadFile(file);
            e.target.value = '';
          }}
        />
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div>Drop your .npy to measure it</div>
        </div>
      )}
    </>
  );
}
