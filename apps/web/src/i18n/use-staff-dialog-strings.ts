import { STAFF_DIALOGS_EN, type StaffDialogStrings } from "./staff-dialogs-en";
import { STAFF_DIALOGS_ZH_CN } from "./staff-dialogs-zh-cn";
import { useStrings } from "./use-strings";

/** The staff dialogs' strings in the page's language (imported by the lazy staff chunks only). */
export function useStaffDialogStrings(): StaffDialogStrings {
  return useStrings().locale === "zh-CN" ? STAFF_DIALOGS_ZH_CN : STAFF_DIALOGS_EN;
}
