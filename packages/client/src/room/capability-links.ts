import { SECRET_PATTERN } from "@chatroom/protocol";

/**
 * Capability links: the secret sits in the URL fragment, which browsers never send to the server,
 * so no request log can keep it. `/r/<room>#key=…` (a pass), `/r/<room>#invite=…`, `/#admin=…`.
 */
export interface FragmentCapabilities {
  key?: string;
  invite?: string;
  admin?: string;
}

/** The capabilities a fragment (`#key=…`, with or without the `#`) carries; malformed values are ignored. */
export function capabilitiesFromFragment(hash: string): FragmentCapabilities {
  const params = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const found: FragmentCapabilities = {};
  for (const name of ["key", "invite", "admin"] as const) {
    const value = params.get(name);
    if (value !== null && SECRET_PATTERN.test(value)) found[name] = value;
  }
  return found;
}

/** The fragment without the capabilities in it (what the address bar keeps), with its `#`, or "" when nothing is left. */
export function fragmentWithoutCapabilities(hash: string): string {
  const params = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  for (const name of ["key", "invite", "admin"]) params.delete(name);
  const rest = params.toString();
  return rest ? `#${rest}` : "";
}

function roomPath(room: string): string {
  return `/r/${encodeURIComponent(room)}`;
}

/** The owner link (the creator's pass), relative to the page's origin. */
export function ownerLinkPath(room: string, key: string): string {
  return `${roomPath(room)}#key=${key}`;
}

export function inviteLinkPath(room: string, code: string): string {
  return `${roomPath(room)}#invite=${code}`;
}
