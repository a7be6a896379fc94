import { type ComponentType, memo, useEffect, useState } from "react";
import type { MentionMarks } from "./mention-marks";

/**
 * Whether `text` has anything the Markdown subset would render differently from plain text:
 * emphasis, code, quote, list, escape or entity characters, a link, a list or code indent at a
 * line's start. Most chat lines have none, and are shown without the renderer.
 */
export function needsMarkdown(text: string): boolean {
  return /[*_`~[\]<>#|\\!&]|:\/\/|mailto:|www\.|(^|\n)( {4}|\t|\s*(\d+[.)]|[-+=])(\s|$))/.test(text);
}

type Renderer = ComponentType<{ text: string; mentions?: MentionMarks | undefined }>;
let renderer: Renderer | null = null;
let loading: Promise<Renderer> | null = null;

/** The renderer is a chunk of its own (markdown-to-jsx), fetched the first time a message needs it. */
function loadRenderer(): Promise<Renderer> {
  loading ??= import("./markdown-render").then((module) => {
    renderer = module.default;
    return renderer;
  });
  return loading;
}

/**
 * A message's text: plain when it has no markup (see needsMarkdown) and mentions nobody, else as
 * the safe Markdown subset of markdown-render.tsx with its mentions highlighted, shown as plain
 * text for the moment the renderer takes to load. Memoized: rows re-render often (reactions,
 * pending changes) while their text rarely changes.
 */
export const MarkdownText = memo(function MarkdownText({ text, mentions }: { text: string; mentions?: MentionMarks | undefined }) {
  const markup = mentions !== undefined || needsMarkdown(text);
  const [Render, setRender] = useState<Renderer | null>(() => renderer);
  useEffect(() => {
    if (!markup || Render) return;
    let live = true;
    void loadRenderer().then((loaded) => {
      if (live) setRender(() => loaded);
    });
    return () => {
      live = false;
    };
  }, [markup, Render]);
  return markup && Render ? <Render text={text} mentions={mentions} /> : <p>{text}</p>;
});
