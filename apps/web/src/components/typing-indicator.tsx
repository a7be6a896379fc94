import type { User } from "@chatroom/protocol";
import { useStrings } from "../i18n/use-strings";

export function TypingIndicator({ typing }: { typing: User[] }) {
  const t = useStrings();
  const [first, second] = typing;
  let text = "";
  if (typing.length > 2) text = t.typingMany;
  else if (first && second) text = t.typingTwo(first.name, second.name);
  else if (first) text = t.typingOne(first.name);
  return (
    <div className="typing" data-testid="typing-indicator" aria-live="polite">
      {text && (
        <>
          <span className="typing-dots" aria-hidden="true">
            <span />
            <span />
            <span />
          </span>
          <span>{text}</span>
        </>
      )}
    </div>
  );
}
