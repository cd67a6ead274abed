import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../store/store';
import { cancelLoad } from '../store/actions';

export function LoadProgress() {
  const { status, progress, name } = useStore(
    useShallow((s) => ({ status: s.loadStatus, progress: s.loadProgress, name: s.loadingName })),
  );
  if (status !== 'loading') return null;
  return (
    <div className="card load-progress" role="status" aria-live="polite">
      <span>Reading {name}…</span>
      <progress max={1} value={progress} aria-label="Reading progress" />
      <span className="muted">{Math.round(progress * 100)}%</span>
      <button type="button" onClick={cancelLoad}>
        Cancel
      </button>
    </div>
  );
}
