import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, errorMessage } from '../api/api-error';
import { useAuth } from './auth-context';
import { BrandMark } from '../layout/icons';

/** The sign-in form: user `admin` and the appliance's admin password. */
export function LoginPage() {
  const { login, notice } = useAuth();
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const id = useId();
  const passwordRef = useRef<HTMLInputElement>(null);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(loginErrorText(err));
      setPassword('');
      setBusy(false);
      // Ready for the next attempt, even if the (now disabled) button had focus.
      passwordRef.current?.focus();
    }
  }

  return (
    <main className="login">
      <form className="login-card" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
        <div className="login-brand">
          <BrandMark />
          <div>
            <h1 id={`${id}-title`}>PBX-lite</h1>
            <p className="muted">Sign in to administer this appliance</p>
          </div>
        </div>

        {notice && !error && (
          <p className="banner banner-info" role="status">
            {notice}
          </p>
        )}
        {error && (
          <p className="banner banner-error" role="alert">
            {error}
          </p>
        )}

        <div className="field">
          <label htmlFor={`${id}-user`}>Username</label>
          <input
            id={`${id}-user`}
            name="username"
            autoComplete="username"
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </div>
        <div className="field">
          <label htmlFor={`${id}-pass`}>Password</label>
          <input
            id={`${id}-pass`}
            ref={passwordRef}
            name="password"
            type="password"
            autoComplete="current-password"
            autoFocus
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined}
            required
          />
        </div>
        <button className="btn btn-primary btn-block" type="submit" disabled={busy || !password}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted small">
          The admin password is set with <code>ADMIN_PASSWORD</code>, or printed once in the log on first start.
        </p>
      </form>
    </main>
  );
}

function loginErrorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return err.message || 'Invalid username or password';
    if (err.status === 429) return err.message || 'Too many login attempts, retry later';
  }
  return errorMessage(err);
}
