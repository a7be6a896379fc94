import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import { DEFAULT_NOTIFY_LEVEL, type NotifyLevel } from "@chatroom/protocol";
import { useState, useSyncExternalStore } from "react";
import { useNotificationStrings } from "../../i18n/use-notification-strings";
import type { NotificationPermissionState } from "../../notifications/desktop-notifier";
import { notificationsRuntime } from "../../notifications/notifications-runtime";
import { Modal } from "../staff/modal";

const LEVELS: readonly NotifyLevel[] = ["all", "mentions", "none"];

/**
 * The active room's notification level (All / Mentions / Nothing: the server keeps it, so every
 * tab follows), and the page's desktop notification settings: on or off (the browser's permission
 * is asked for only from the button here), sound, hidden text. Its own chunk.
 */
export default function NotificationsMenu({ client, chat, onClose }: { client: ChatClient; chat: ChatSnapshot; onClose: () => void }) {
  const s = useNotificationStrings();
  const { settings, api } = notificationsRuntime();
  const current = useSyncExternalStore(settings.subscribe, settings.get);
  const [permission, setPermission] = useState<NotificationPermissionState>(() => api.permission());
  const [offline, setOffline] = useState(false);
  const level = chat.rooms.find((summary) => summary.room === chat.room)?.notify ?? DEFAULT_NOTIFY_LEVEL;
  // The choice shows at once; the server's `notify` (the level every tab follows) replaces it when it comes.
  // It holds while the server's level is still the one it was chosen over.
  const [asked, setAsked] = useState<{ level: NotifyLevel; over: NotifyLevel } | null>(null);
  const shown = asked !== null && asked.over === level ? asked.level : level;
  const choose = (option: NotifyLevel) => {
    const sent = client.setNotifyLevel(chat.room, option);
    setOffline(!sent);
    if (sent) setAsked({ level: option, over: level });
  };

  const turnOn = async () => {
    const answer = await api.request();
    setPermission(answer);
    if (answer === "granted") settings.set({ desktop: true });
  };
  const desktopOn = permission === "granted" && current.desktop;

  return (
    <Modal title={s.menuTitle(chat.room)} onClose={onClose} testId="notifications-menu">
      <fieldset className="notify-levels">
        <legend>{s.levelLegend}</legend>
        {LEVELS.map((option) => (
          <label key={option} className="check-row">
            <input
              type="radio"
              name="notify-level"
              value={option}
              checked={shown === option}
              data-testid={`notify-${option}`}
              onChange={() => choose(option)}
            />
            {s.level(option)}
          </label>
        ))}
        {offline && <p role="status">{s.levelOffline}</p>}
      </fieldset>
      <fieldset className="notify-desktop">
        <legend>{s.desktopLegend}</legend>
        <p role="status" data-testid="desktop-status" data-permission={permission}>
          {permission === "unsupported"
            ? s.desktopUnsupported
            : permission === "denied"
              ? s.desktopBlocked
              : desktopOn
                ? s.desktopOn
                : s.desktopOff}
        </p>
        {(permission === "default" || (permission === "granted" && !current.desktop)) && (
          <button type="button" data-testid="desktop-enable" onClick={() => void turnOn()}>
            {s.desktopEnable}
          </button>
        )}
        {desktopOn && (
          <button type="button" className="secondary" data-testid="desktop-disable" onClick={() => settings.set({ desktop: false })}>
            {s.desktopTurnOff}
          </button>
        )}
        <SettingCheckbox setting="sound" label={s.sound} testId="notify-sound" />
        <SettingCheckbox setting="hideText" label={s.hideText} testId="notify-hide-text" />
      </fieldset>
      <div className="dialog-actions">
        <button type="button" className="secondary" onClick={onClose}>
          {s.close}
        </button>
      </div>
    </Modal>
  );
}

/** One on/off desktop notification setting, kept by the page's notification settings. */
function SettingCheckbox({ setting, label, testId }: { setting: "sound" | "hideText"; label: string; testId: string }) {
  const { settings } = notificationsRuntime();
  const current = useSyncExternalStore(settings.subscribe, settings.get);
  return (
    <label className="check-row">
      <input
        type="checkbox"
        checked={current[setting]}
        data-testid={testId}
        onChange={(event) => settings.set({ [setting]: event.target.checked })}
      />
      {label}
    </label>
  );
}
