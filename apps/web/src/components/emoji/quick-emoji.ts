/** The quick bar under every message: the six reactions people reach for most, in RGI form (as the server stores them). */
export const QUICK_EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🎉"] as const;
