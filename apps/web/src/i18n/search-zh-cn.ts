import type { SearchStrings } from "./search-en";

/** The search panel's strings in zh-CN (see search-en.ts). */
export const SEARCH_ZH_CN: SearchStrings = {
  scope: "搜索范围",
  thisRoom: (room: string) => `#${room}`,
  allRooms: "我的全部聊天室",
  hint: '筛选：from:用户名  in:聊天室  after:2026-01-31  before:2026-02-01  "完整短语"',
  results: "搜索结果",
  searching: "正在搜索…",
  noResults: "没有找到消息。",
  count: (count: number, more: boolean) => `找到 ${count}${more ? "+" : ""} 条消息。用 ↑ ↓ 和回车键打开。`,
  loadingMore: "正在加载更多…",
  offline: "未连接：连接恢复后将开始搜索。",
  failed: (reason: string) => `无法搜索：${reason}`,
  inRoom: (room: string) => `在 #${room}`,
  openHit: (author: string, room: string, time: string) => `${author}，#${room}，${time}`,
};
