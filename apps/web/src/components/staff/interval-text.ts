import type { Strings } from "../../i18n/strings";

/** Slow mode's interval in words: seconds under two minutes, else the duration's own wording. */
export function intervalText(ms: number, t: Strings): string {
  return ms < 120_000 ? t.staff.seconds(Math.round(ms / 1000)) : t.staff.duration(ms);
}
