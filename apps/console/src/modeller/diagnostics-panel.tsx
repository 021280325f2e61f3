import type { Diagnostic } from '@ameide/process-definition';

/** Lint findings (and a refused publish's errors), each a button that selects its element. */
export function DiagnosticsPanel({
  diagnostics,
  onSelect,
  pending,
  title = 'Problems',
}: {
  diagnostics: readonly Pick<Diagnostic, 'code' | 'severity' | 'message' | 'elementId'>[];
  onSelect: (elementId: string) => void;
  pending: boolean;
  title?: string;
}) {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  return (
    <section className="diagnostics" aria-label={title}>
      <h2>
        {title}{' '}
        <span
          role="status"
          aria-live="polite"
          data-testid="problem-count"
          className={errors ? 'error' : 'ok'}
        >
          {errors} error{errors === 1 ? '' : 's'}, {warnings} warning{warnings === 1 ? '' : 's'}
          {pending ? ' (checking…)' : ''}
        </span>
      </h2>
      {diagnostics.length === 0 ? (
        <p className="hint">No problems.</p>
      ) : (
        <ul>
          {diagnostics.map((d, i) => (
            <li key={`${d.elementId}-${d.code}-${i}`}>
              <button
                type="button"
                className={`diagnostic sev-${d.severity}`}
                onClick={() => onSelect(d.elementId)}
                data-code={d.code}
                data-element={d.elementId}
              >
                <span className="sev">{d.severity}</span> <code>{d.code}</code>{' '}
                <strong>{d.elementId}</strong> {d.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
