/** The one place where errors from every part of the page are shown. */
import { useAppState, usePage } from './context';

/** Shows the latest error with a way to dismiss it; always present so tests and screen readers can find it. */
export function ErrorBanner() {
  const { controller } = usePage();
  const error = useAppState((s) => s.error);
  const count = useAppState((s) => s.errorCount);
  return (
    <div
      className={error ? 'error-banner visible' : 'error-banner'}
      data-testid="error-message"
      data-error-count={count}
      data-region={error?.region ?? ''}
      role="alert"
      aria-live="assertive"
      hidden={!error}
    >
      {error && (
        <>
          <span className="error-text">{error.message}</span>
          {error.action === 'save-model-files' && (
            <button type="button" className="small" onClick={() => void controller.saveModelFiles()} data-testid="error-save-model-files">
              Save model files
            </button>
          )}
          <button type="button" className="link" onClick={() => controller.dismissError()} aria-label="Dismiss the error message">
            Dismiss
          </button>
        </>
      )}
    </div>
  );
}
