import { memo } from "react";
import { dayFormat } from "./formats";

export const DaySeparatorRow = memo(function DaySeparatorRow({ ts }: { ts: number }) {
  return (
    <li className="day-separator">
      <span>{dayFormat.format(ts)}</span>
    </li>
  );
});
