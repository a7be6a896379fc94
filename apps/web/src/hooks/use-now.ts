import { useEffect, useState } from "react";

/** The time, re-read every `everyMs` while `ticking` (a countdown on screen); otherwise as of the last render. */
export function useNow(ticking: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), everyMs);
    return () => window.clearInterval(timer);
  }, [ticking, everyMs]);
  return ticking ? now : Date.now();
}
