import { h, timeElement } from "../shared/dom.ts";
import type { AuditEntry } from "./types.ts";
import { loadMore } from "./load-more.ts";

const PAGE = 25;

const ACTIONS: Record<string, string> = {
  registered: "Registered with the verifier",
  pairing_code_issued: "Showed a pairing code",
  paired: "Paired",
  renamed: "Renamed",
  revoked: "Revoked",
  reported_stolen: "Reported stolen",
  transfer_started: "Transfer started",
  transfer_completed: "Transfer completed",
  reregistration_pending: "Reset and registered again: waiting for approval",
  reregistration_approved: "Re-registration approved",
  reregistration_refused: "Re-registration refused",
};

function detailText(entry: AuditEntry): string {
  const detail = entry.detail;
  switch (entry.action) {
    case "renamed":
      return `“${String(detail.from ?? "")}” to “${String(detail.to ?? "")}”`;
    case "paired":
      return `as “${String(detail.name ?? "")}”`;
    case "revoked":
      return detail.replacedBy ? "replaced by its re-registration" : "";
    default:
      return "";
  }
}

function actorText(entry: AuditEntry): string {
  if (entry.actor.kind === "device") return "The camera";
  return entry.actor.you ? "You" : entry.actor.displayName;
}

/** Everything done to and by the owner's cameras, newest first, a page at a time. */
export function auditSection(): HTMLElement {
  const rows = h("tbody", {});
  const { more, empty } = loadMore<AuditEntry>({
    path: "/v1/owner/audit",
    itemsKey: "events",
    pageSize: PAGE,
    list: rows,
    render: (entry) =>
      h(
        "tr",
        { "data-action": entry.action },
        h("td", {}, timeElement(entry.at)),
        h("td", {}, ACTIONS[entry.action] ?? entry.action),
        h("td", { class: "mono" }, entry.serial),
        h("td", {}, actorText(entry)),
        h("td", {}, detailText(entry)),
      ),
    moreId: "audit-more",
    emptyText: "Nothing has happened yet.",
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "audit-heading", id: "audit" },
    h("h2", { id: "audit-heading" }, "Activity"),
    h(
      "div",
      { class: "table-scroll" },
      h(
        "table",
        { id: "audit-log" },
        h("caption", { class: "visually-hidden" }, "What happened to your cameras, newest first"),
        h("thead", {}, h("tr", {}, ...["When", "What", "Camera", "Who", "Details"].map((label) => h("th", { scope: "col" }, label)))),
        rows,
      ),
    ),
    empty,
    h("div", { class: "actions" }, more),
  );
}
