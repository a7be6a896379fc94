import { memo } from "react";
import { dayFormat } from "./formats";

/** The inside of a day's first row: its date. */
export const DaySeparatorRow = memo(function DaySeparatorRow({ ts }: { ts: number }) {
  return <span>{dayFormat.format(ts)}</span>;
});
