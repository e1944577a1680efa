import { api } from "../shared/api.ts";
import { h, timeElement } from "../shared/dom.ts";
import type { AuditEntry } from "./types.ts";
import { perform } from "./view.ts";

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
  const more = h("button", { type: "button", class: "secondary", id: "audit-more", hidden: true }, "Load more");
  const empty = h("p", { class: "muted", hidden: true }, "Nothing has happened yet.");
  let before: number | null = null;
  const load = (control: HTMLButtonElement | null) =>
    perform(control, async () => {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (before !== null) query.set("before", String(before));
      const page = await api<{ events: AuditEntry[]; next: number | null }>("GET", `/v1/owner/audit?${query}`);
      for (const entry of page.events) {
        rows.append(
          h(
            "tr",
            { "data-action": entry.action },
            h("td", {}, timeElement(entry.at)),
            h("td", {}, ACTIONS[entry.action] ?? entry.action),
            h("td", { class: "mono" }, entry.serial),
            h("td", {}, actorText(entry)),
            h("td", {}, detailText(entry)),
          ),
        );
      }
      before = page.next;
      more.hidden = page.next === null;
      empty.hidden = rows.childElementCount > 0;
    });
  more.addEventListener("click", () => void load(more));
  void load(null);
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
