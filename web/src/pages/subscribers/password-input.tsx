import { useState, type ChangeEvent } from 'react';
import { FormField } from '../../components/form-field';

const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** 16 characters from an unambiguous alphabet, from the browser's CSPRNG. */
export function generatePassword(length = 16): string {
  const bytes = crypto.getRandomValues(new Uint32Array(length));
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

interface Props {
  label: string;
  name: string;
  value: string;
  onChange(v: string): void;
  error?: string | undefined;
  autoFocus?: boolean;
}

/** A password field with show/hide and a generator (SIP passwords are typed into phones). */
export function PasswordInput({ label, name, value, onChange, error, autoFocus }: Props) {
  const [visible, setVisible] = useState(false);
  return (
    <div className="password-input">
      <FormField
        label={label}
        name={name}
        type={visible ? 'text' : 'password'}
        autoComplete="new-password"
        spellCheck={false}
        value={value}
        data-autofocus={autoFocus || undefined}
        onChange={(e: ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
        error={error}
        hint="At least 8 characters."
      />
      <div className="password-tools">
        <button type="button" className="btn btn-small btn-ghost" onClick={() => setVisible((v) => !v)} aria-pressed={visible}>
          {visible ? 'Hide' : 'Show'}
        </button>
        <button
          type="button"
          className="btn btn-small btn-ghost"
          onClick={() => {
            onChange(generatePassword());
            setVisible(true);
          }}
        >
          Generate
        </button>
      </div>
    </div>
  );
}
