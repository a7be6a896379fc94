import type { ReplyQuote as Quote } from "@chatroom/protocol";
import { useStrings } from "../../i18n/use-strings";
import { useListContext } from "./list-context";

/**
 * What a reply answers: its target's author and first words, as the server quoted them. Clicking
 * it brings the target into view, loading older history when the log does not hold it yet.
 */
export function ReplyQuote({ quote }: { quote: Quote }) {
  const t = useStrings();
  const { jumpTo } = useListContext();
  if ("deleted" in quote) {
    return (
      <div className="reply-quote deleted" data-testid="reply-quote" data-target={quote.seq}>
        {t.quoteDeleted}
      </div>
    );
  }
  return (
    <button
      type="button"
      className="reply-quote"
      data-testid="reply-quote"
      data-target={quote.seq}
      title={t.quoteOf(quote.from.name)}
      onClick={() => jumpTo(quote.seq)}
    >
      <span className="quote-author">{quote.from.name}</span> <span className="quote-text">{quote.text}</span>
    </button>
  );
}
