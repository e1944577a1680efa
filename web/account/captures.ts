import { api } from "../shared/api.ts";
import { h, timeElement } from "../shared/dom.ts";
import type { DeviceCapture } from "./types.ts";
import { perform } from "./view.ts";

const PAGE = 24;

function captureCard(deviceId: string, capture: DeviceCapture): HTMLElement {
  const taken = new Date(capture.capturedAt);
  const picture = capture.thumbnail
    ? // The list gives the thumbnail's size, so the grid keeps its place while images arrive.
      h("img", {
        src: `/v1/owner/devices/${encodeURIComponent(deviceId)}/captures/${encodeURIComponent(capture.id)}/thumbnail`,
        width: capture.thumbnail.width,
        height: capture.thumbnail.height,
        loading: "lazy",
        decoding: "async",
        alt: `Photo ${capture.counter}, taken ${taken.toLocaleString()}`,
      })
    : h("span", { class: "thumb-placeholder", role: "img", "aria-label": `Photo ${capture.counter}: no preview` }, "No preview");
  return h(
    "li",
    { class: "capture", "data-capture-id": capture.id },
    h(
      "a",
      { href: `/c/${encodeURIComponent(capture.id)}`, class: "capture-link" },
      picture,
      h("span", { class: "capture-caption" }, h("span", { class: "capture-number" }, `#${capture.counter}`), " ", timeElement(capture.capturedAt)),
    ),
    capture.chainGap ? h("span", { class: "chip", "data-tone": "warn", title: "Captures before this one are missing from the chain" }, "Gap before") : null,
    capture.source !== "sensor" ? h("span", { class: "chip", "data-tone": "plain", title: "A file given to the camera, not captured by its sensor" }, "Imported") : null,
  );
}

/** A camera's captures with thumbnails, newest first; each links to its public page. */
export function capturesSection(deviceId: string): HTMLElement {
  const grid = h("ul", { class: "captures", id: "captures" });
  const more = h("button", { type: "button", class: "secondary", id: "captures-more", hidden: true }, "Load more");
  const empty = h("p", { class: "muted", hidden: true }, "No photos synced yet. They appear here once the camera syncs.");
  let before: number | null = null;
  const load = (control: HTMLButtonElement | null) =>
    perform(control, async () => {
      const query = new URLSearchParams({ limit: String(PAGE) });
      if (before !== null) query.set("before", String(before));
      const page = await api<{ captures: DeviceCapture[]; next: number | null }>("GET", `/v1/owner/devices/${encodeURIComponent(deviceId)}/captures?${query}`);
      grid.append(...page.captures.map((capture) => captureCard(deviceId, capture)));
      before = page.next;
      more.hidden = page.next === null;
      empty.hidden = grid.childElementCount > 0;
    });
  more.addEventListener("click", () => void load(more));
  void load(null);
  return h(
    "section",
    { class: "card", "aria-labelledby": "captures-heading" },
    h("h2", { id: "captures-heading" }, "Photos"),
    h("p", { class: "muted" }, "Newest first. Open one to see its public provenance page."),
    grid,
    empty,
    h("div", { class: "actions" }, more),
  );
}
