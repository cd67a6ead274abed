// Notices outside the app's own layout: a new build is ready, a worker was lost (and what to do),
// the memory the per-worker copies cost on a host without cross-origin isolation, and a line saying
// the app works offline.
import { useEffect, useState } from 'react';
import { useStore } from '../store/store';
import { onWorkerLoss, sharingMode } from '../workers/client';
import type { WorkerLoss } from '../workers/client';
import { describeWorkerLoss } from '../workers/client';
import { formatMB } from '../ui/format';
import { dismissUpdate, reloadIntoUpdate, usePwa } from './register';
import './notices.css';

function CopiesNotice() {
  const bytes = useStore((s) => s.input?.bytes ?? null);
  const [dismissed, setDismissed] = useState(false);
  const sharing = sharingMode();
  if (sharing.mode === 'shared' || bytes === null || dismissed) return null;
  return (
    <div className="app-notice" data-testid="copies-notice" data-extra-bytes={sharing.extraCopies * bytes}>
      <p>
        <strong>No shared memory on this host.</strong> Each of the {sharing.workers} workers holds its own
        copy of the array: {formatMB(sharing.extraCopies * bytes)} more memory than with one shared copy (
        {sharing.extraCopies + 1} × {formatMB(bytes)} in all). Results are the same. A host that sends the
        COOP/COEP headers shares one copy.
      </p>
      <button type="button" className="ghost" onClick={() => setDismissed(true)} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

function WorkerLossNotice() {
  const [loss, setLoss] = useState<WorkerLoss | null>(null);
  useEffect(() => onWorkerLoss(setLoss), []);
  if (!loss) return null;
  return (
    <div className="app-notice warn" role="alert" data-testid="worker-loss-notice" data-kind={loss.kind}>
      <p>{describeWorkerLoss(loss)}</p>
      <button type="button" className="ghost" onClick={() => setLoss(null)} aria-label="Dismiss">
        ×
      </button>
    </div>
  );
}

function UpdateNotice() {
  const updateReady = usePwa((s) => s.updateReady);
  if (!updateReady) return null;
  return (
    <div className="app-notice" data-testid="update-notice">
      <p>
        <strong>A new version of h5squeeze is ready.</strong> Reloading clears the array and results on this
        page.
      </p>
      <button type="button" className="primary" onClick={reloadIntoUpdate}>
        Reload
      </button>
      <button type="button" className="ghost" onClick={dismissUpdate}>
        Later
      </button>
    </div>
  );
}

/**
 * Above the app, in the flow of the page (never over a control): a new build, a lost worker, the
 * cost of per-worker copies. Each appears only when it applies.
 */
export function TopNotices() {
  return (
    <aside className="app-notices" aria-label="Notices" aria-live="polite">
      <UpdateNotice />
      <WorkerLossNotice />
      <CopiesNotice />
    </aside>
  );
}

/** Below the app's footer: whether this version is stored for offline use. */
export function OfflineLine() {
  const offlineReady = usePwa((s) => s.offlineReady);
  if (!offlineReady) return null;
  return (
    <aside className="offline-line muted small" aria-label="Offline use" data-testid="offline-ready">
      Works offline: this version of h5squeeze is stored in your browser.
    </aside>
  );
}
