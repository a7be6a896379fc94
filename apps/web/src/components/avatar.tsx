/** Dark enough for white text at AA contrast in both themes. */
const COLOURS = ["#1f5fbf", "#7a3fb0", "#b0306a", "#1b7a3a", "#8a5a00", "#0f6f7a", "#a33b1f", "#4a5563"];

function colourFor(name: string): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return COLOURS[hash % COLOURS.length] as string;
}

/** The first letter of a name on a colour derived from it; decorative, since the name is always shown next to it. */
export function Avatar({ name, small = false }: { name: string; small?: boolean }) {
  return (
    <span className={small ? "avatar avatar-small" : "avatar"} style={{ background: colourFor(name) }} aria-hidden="true">
      {[...name.trim()][0]?.toUpperCase() ?? "?"}
    </span>
  );
}
