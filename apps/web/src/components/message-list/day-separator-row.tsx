import { dayFormat } from "./formats";

export function DaySeparatorRow({ ts }: { ts: number }) {
  return (
    <li className="day-separator">
      <span>{dayFormat.format(ts)}</span>
    </li>
  );
}
