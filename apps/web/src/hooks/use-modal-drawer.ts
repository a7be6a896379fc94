import { type RefObject, useEffect } from "react";

/** Matches the stylesheet's breakpoint: below it the sidebar is a drawer over the chat. */
export const DRAWER_MEDIA = "(max-width: 720px)";

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]), select, textarea, [tabindex]:not([tabindex="-1"])';

interface ModalDrawer {
  open: boolean;
  close: () => void;
  /** The drawer and the controls that belong to it while open (the scrim): focus stays among them. */
  drawer: RefObject<HTMLElement | null>;
  scrim: RefObject<HTMLElement | null>;
  /** Where focus goes back to when the drawer closes. */
  opener: RefObject<HTMLElement | null>;
}

/**
 * An open phone drawer behaves as a modal: focus moves into it, Tab cycles inside it (the page
 * behind is `inert`, set by the caller), Escape closes it and focus returns to the menu button.
 * Widening the window past the breakpoint closes it, so the chat never stays inert on a desktop
 * layout where the drawer is an ordinary sidebar.
 */
export function useModalDrawer({ open, close, drawer, scrim, opener }: ModalDrawer): void {
  useEffect(() => {
    if (!open) return;
    const focusables = () => {
      const inside = [...(drawer.current?.querySelectorAll<HTMLElement>(FOCUSABLE) ?? [])];
      return scrim.current ? [...inside, scrim.current] : inside;
    };
    const within = (node: EventTarget | null) => node instanceof Node && (drawer.current?.contains(node) || scrim.current?.contains(node));

    focusables()[0]?.focus();

    const onKey = (event: KeyboardEvent) => {
      // A dialog opened from the drawer (rename) handles its own keys.
      if (!within(event.target) && event.target !== document.body) return;
      if (event.key === "Escape") {
        event.preventDefault();
        close();
        return;
      }
      if (event.key !== "Tab") return;
      const list = focusables();
      const first = list[0];
      const last = list[list.length - 1];
      if (!first || !last) return;
      const active = document.activeElement;
      if (event.shiftKey && (active === first || !within(active))) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && (active === last || !within(active))) {
        event.preventDefault();
        first.focus();
      }
    };
    const media = window.matchMedia(DRAWER_MEDIA);
    const onMedia = () => {
      if (!media.matches) close();
    };
    window.addEventListener("keydown", onKey);
    media.addEventListener("change", onMedia);
    const openerElement = opener.current;
    return () => {
      window.removeEventListener("keydown", onKey);
      media.removeEventListener("change", onMedia);
      const active = document.activeElement;
      // Only take focus back if it was in the drawer (or went nowhere as the scrim unmounted).
      if (!active || active === document.body || within(active)) openerElement?.focus();
    };
  }, [open, close, drawer, scrim, opener]);
}
