import { h, timeElement } from "../shared/dom.ts";
import type { DeviceCapture } from "./types.ts";
import { loadMore } from "./load-more.ts";

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
  const { more, empty } = loadMore<DeviceCapture>({
    path: `/v1/owner/devices/${encodeURIComponent(deviceId)}/captures`,
    itemsKey: "captures",
    pageSize: PAGE,
    list: grid,
    render: (capture) => captureCard(deviceId, capture),
    moreId: "captures-more",
    emptyText: "No photos synced yet. They appear here once the camera syncs.",
  });
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
