import { useStore } from '../store/store';
import { dismissError } from '../store/actions';

export function ErrorBanner() {
  const message = useStore((s) => s.errorMessage);
  if (!message) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner">
      <span className="error-icon" aria-hidden="true">
        !
      </span>
      <span className="error-text">{message}</span>
      <button type="button" className="ghost" onClick={dismissError} aria-label="Dismiss error">
        ×
      </button>
    </div>
  );
}
