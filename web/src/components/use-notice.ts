import { useCallback, useEffect, useState } from 'react';

/** A short confirmation ("Subscriber added") that clears itself. */
export function useNotice(ms = 6_000): [string | null, (text: string) => void] {
  const [notice, setNotice] = useState<{ text: string; n: number } | null>(null);
  useEffect(() => {
    if (!notice) return;
    const t = setTimeout(() => setNotice(null), ms);
    return () => clearTimeout(t);
  }, [notice, ms]);
  const show = useCallback((text: string) => setNotice((old) => ({ text, n: (old?.n ?? 0) + 1 })), []);
  return [notice?.text ?? null, show];
}
