import type { NotificationApi, NotificationPermissionState } from "./desktop-notifier";

/** The browser's Notification API; "unsupported" where there is none. Never throws. */
export function browserNotificationApi(): NotificationApi {
  const supported = typeof window !== "undefined" && "Notification" in window;
  return {
    permission: () => (supported ? Notification.permission : "unsupported"),
    request: async (): Promise<NotificationPermissionState> => {
      if (!supported) return "unsupported";
      try {
        return await Notification.requestPermission();
      } catch {
        return Notification.permission;
      }
    },
    show: (title, options, onClick) => {
      const notification = new Notification(title, options);
      notification.onclick = () => {
        window.focus();
        notification.close();
        onClick();
      };
    },
  };
}

/** A short two-note chime made with WebAudio (no asset to load); silent where audio is not allowed. */
export function webAudioChime(): { play(): void } {
  let context: AudioContext | null = null;
  return {
    play: () => {
      try {
        context ??= new AudioContext();
        void context.resume().catch(() => undefined);
        const start = context.currentTime;
        for (const [offset, frequency] of [
          [0, 880],
          [0.09, 1320],
        ] as const) {
          const oscillator = context.createOscillator();
          const gain = context.createGain();
          oscillator.frequency.value = frequency;
          gain.gain.setValueAtTime(0.0001, start + offset);
          gain.gain.exponentialRampToValueAtTime(0.15, start + offset + 0.01);
          gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.12);
          oscillator.connect(gain).connect(context.destination);
          oscillator.start(start + offset);
          oscillator.stop(start + offset + 0.13);
        }
      } catch {
        // No audio here (or not yet allowed): the notification goes on without its sound.
      }
    },
  };
}
