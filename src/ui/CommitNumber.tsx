/**
 * A whole-number field that acts when the user is done: on Enter, on leaving the field, or on the stepper
 * arrows, never on every keystroke (typing "12" does not act on "1" first).
 */
import { useState, type InputHTMLAttributes } from 'react';

interface Props extends Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'> {
  value: number;
  /** Called with the parsed number; text that is not a whole number puts the last value back. */
  onCommit: (value: number) => void;
}

/** A number input with commit-on-done semantics. */
export function CommitNumber({ value, onCommit, ...rest }: Props) {
  const [text, setText] = useState(String(value));
  // A new value from outside (another variation, a new tune) replaces what is shown, during render as React advises.
  const [shown, setShown] = useState(value);
  if (shown !== value) {
    setShown(value);
    setText(String(value));
  }
  const commit = (raw: string) => {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n)) {
      setText(String(value));
      return;
    }
    if (n !== value) onCommit(n);
  };
  return (
    <input
      {...rest}
      type="number"
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        // Typing arrives as an InputEvent with an inputType; the stepper and arrow keys do not: those act at once.
        const native = e.nativeEvent as Partial<InputEvent>;
        if (!native.inputType) commit(e.target.value);
      }}
      onBlur={(e) => commit(e.target.value)}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit(e.currentTarget.value);
        if (e.key === 'Escape') setText(String(value));
      }}
    />
  );
}
