import { api } from "../shared/api.ts";
import { h, timeElement } from "../shared/dom.ts";
import { auditSection } from "./audit-log.ts";
import type { Device, Flow } from "./types.ts";
import { field, form, perform, say, showView, text } from "./view.ts";

const STATUS: Record<Device["status"], { label: string; tone: string }> = {
  owned: { label: "Valid", tone: "ok" },
  pending_approval: { label: "Waiting for your approval", tone: "warn" },
  revoked: { label: "Revoked", tone: "bad" },
  stolen: { label: "Reported stolen", tone: "bad" },
};

/** A camera's standing in words, never in colour alone. */
export function statusChips(device: Device): HTMLElement {
  const status = STATUS[device.status];
  return h(
    "span",
    { class: "chips" },
    h("span", { class: "chip status", "data-tone": status.tone, "data-status": device.status }, status.label),
    device.flagged ? h("span", { class: "chip", "data-tone": "bad", title: device.flagReason ?? "" }, "Flagged: possible cloned camera") : null,
  );
}

export function deviceName(device: Device): string {
  return device.name ?? (device.status === "pending_approval" ? `Reset camera ${device.serial}` : `Camera ${device.serial}`);
}

function deviceCard(flow: Flow, device: Device): HTMLElement {
  return h(
    "li",
    { class: "card device", "data-device-id": device.id },
    h("div", { class: "device-head" }, h("h3", { class: "device-name" }, deviceName(device)), statusChips(device)),
    h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Model"),
      h("dd", {}, device.model ?? "unknown"),
      h("dt", {}, "Serial"),
      h("dd", { class: "mono" }, device.serial),
      h("dt", {}, "Photos"),
      h("dd", {}, String(device.captureCount), ...(device.lastCapturedAt ? [", last ", timeElement(device.lastCapturedAt)] : [])),
    ),
    device.status === "pending_approval"
      ? h("p", {}, "This camera was reset and registered again. Nothing it seals counts until you approve it.")
      : null,
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "secondary", onclick: () => flow.device(device.id), "aria-label": `${device.status === "pending_approval" ? "Review" : "Manage"} ${deviceName(device)}` },
        device.status === "pending_approval" ? "Review" : "Manage",
      ),
    ),
  );
}

function pairSection(flow: Flow): HTMLElement {
  return h(
    "section",
    { class: "card", "aria-labelledby": "pair-heading" },
    h("h2", { id: "pair-heading" }, "Pair a camera"),
    h("p", { class: "muted" }, "Have the camera show its pairing code (", h("code", {}, "snapseal device pair"), "), then type it here with a name for the camera."),
    form(
      { id: "pair", "aria-label": "Pair a camera" },
      [
        field("pair-code", "Pairing code", { type: "text", autocomplete: "off", spellcheck: "false", maxlength: 32, autocapitalize: "characters" }, "XXXXX-XXXXX"),
        field("pair-name", "Name", { type: "text", autocomplete: "off", maxlength: 64 }, "for example Kitchen window"),
      ],
      "Pair camera",
      async (data) => {
        const { device } = await api<{ device: Device }>("POST", "/v1/owner/devices/pair", { code: text(data, "pair-code").trim(), name: text(data, "pair-name") });
        flow.dashboard();
        say("info", `${deviceName(device)} is yours now.`);
      },
    ),
  );
}

/** The receiving side of a transfer: the current owner started it and passed on its code. */
function acceptTransferSection(flow: Flow): HTMLElement {
  return h(
    "details",
    { class: "card", id: "accept-transfer-section" },
    h("summary", {}, h("h2", { class: "inline" }, "Receive a camera")),
    h("p", { class: "muted" }, "Its owner starts a transfer on their dashboard and gives you the code it shows. Photos taken before the transfer keep them as their owner."),
    form(
      { id: "accept-transfer", "aria-label": "Receive a camera" },
      [
        field("transfer-code-input", "Transfer code", { type: "text", autocomplete: "off", spellcheck: "false", maxlength: 32, autocapitalize: "characters" }, "XXXX-XXXX-XXXX"),
        field("transfer-name", "Your name for it", { type: "text", autocomplete: "off", maxlength: 64 }),
      ],
      "Receive camera",
      async (data) => {
        const { device } = await api<{ device: Device }>("POST", "/v1/owner/devices/accept-transfer", {
          code: text(data, "transfer-code-input").trim(),
          name: text(data, "transfer-name"),
        });
        flow.dashboard();
        say("info", `${deviceName(device)} is yours now.`);
      },
    ),
  );
}

/** The signed-in home: the owner's cameras, pairing a new one, and the activity log. */
export async function showDashboard(flow: Flow): Promise<void> {
  const list = h("ul", { class: "devices", id: "devices" }, h("li", { class: "muted" }, h("span", { class: "spinner", "aria-hidden": "true" }), " Loading your cameras…"));
  showView(
    "Your cameras",
    h("div", { class: "dashboard" }, h("section", { "aria-labelledby": "devices-heading", class: "device-list" }, h("h2", { id: "devices-heading", class: "visually-hidden" }, "Cameras"), list), h("div", { class: "side stack" }, pairSection(flow), acceptTransferSection(flow))),
    auditSection(),
  );
  await perform(null, async () => {
    const { devices } = await api<{ devices: Device[] }>("GET", "/v1/owner/devices");
    list.replaceChildren(
      ...(devices.length === 0 ? [h("li", { class: "card muted" }, "No cameras yet. Pair one with the code it shows.")] : devices.map((device) => deviceCard(flow, device))),
    );
  });
}
