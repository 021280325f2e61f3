import { useEffect, useId, useState, type ReactNode } from 'react';
import { checkFeelExpression, parseTimer } from '@ameide/process-definition';

type Check = (value: string) => string | undefined;

export const feelCheck: Check = (v) => {
  if (v.trim() === '') return undefined;
  const r = checkFeelExpression(v);
  return r.ok ? undefined : `FEEL: ${r.message} (at ${r.start + 1})`;
};

export const isoCheck =
  (type: 'duration' | 'date' | 'cycle'): Check =>
  (v) => {
    if (v.trim() === '') return undefined;
    const r = parseTimer(type, v);
    return r.ok ? undefined : r.message;
  };

export const jsonObjectCheck: Check = (v) => {
  if (v.trim() === '') return undefined;
  try {
    const parsed = JSON.parse(v) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? undefined
      : 'must be a JSON object';
  } catch (err) {
    return `JSON: ${(err as Error).message}`;
  }
};

/**
 * A text field that edits locally and commits on blur or Enter (one undo step per change, not
 * per keystroke), with live syntax feedback from `check` (FEEL, ISO 8601, JSON).
 */
export function TextField({
  label,
  value,
  onCommit,
  check,
  multiline,
  placeholder,
  hint,
  mono,
}: {
  label: string;
  value: string;
  onCommit: (value: string) => void;
  check?: Check;
  multiline?: boolean;
  placeholder?: string;
  hint?: ReactNode;
  mono?: boolean;
}) {
  const id = useId();
  const [local, setLocal] = useState(value);
  useEffect(() => setLocal(value), [value]);
  const problem = check?.(local);
  const commit = () => {
    if (local !== value) onCommit(local);
  };
  const common = {
    id,
    value: local,
    placeholder,
    'aria-invalid': problem ? true : undefined,
    'aria-describedby': problem || hint ? `${id}-msg` : undefined,
    className: `${mono ? 'mono' : ''}${problem ? ' invalid' : ''}`,
    onBlur: commit,
  } as const;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={4} onChange={(e) => setLocal(e.target.value)} />
      ) : (
        <input
          {...common}
          onChange={(e) => setLocal(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') commit();
            if (e.key === 'Escape') setLocal(value);
          }}
        />
      )}
      {(problem || hint) && (
        <div
          id={`${id}-msg`}
          className={problem ? 'field-error' : 'hint'}
          role={problem ? 'alert' : undefined}
        >
          {problem ?? hint}
        </div>
      )}
    </div>
  );
}

export function SelectField({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: readonly (string | { value: string; label: string })[];
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {options.map((o) => {
          const opt = typeof o === 'string' ? { value: o, label: o } : o;
          return (
            <option key={opt.value} value={opt.value}>
              {opt.label}
            </option>
          );
        })}
      </select>
    </div>
  );
}

export function CheckboxField({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (v: boolean) => void;
}) {
  return (
    <label className="field checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />{' '}
      {label}
    </label>
  );
}
