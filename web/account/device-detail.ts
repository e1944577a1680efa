import { api } from "../shared/api.ts";
import { h, timeElement } from "../shared/dom.ts";
import { capturesSection } from "./captures.ts";
import { deviceName, statusChips } from "./devices.ts";
import type { Device, Flow } from "./types.ts";
import { confirmAction, field, form, perform, say, showView, text } from "./view.ts";

const devicePath = (device: Device, action = "") => `/v1/owner/devices/${encodeURIComponent(device.id)}${action}`;

function facts(device: Device): HTMLElement {
  const rows: [string, Node | string][] = [
    ["Model", device.model ?? "unknown"],
    ["Serial", device.serial],
    ["Registered", timeElement(device.registeredAt)],
  ];
  if (device.ownedSince) rows.push(["Yours since", timeElement(device.ownedSince)]);
  if (device.revokedAt) rows.push(["Revoked", timeElement(device.revokedAt)]);
  if (device.reportedStolenAt) rows.push(["Reported stolen", timeElement(device.reportedStolenAt)]);
  rows.push(["Photos", String(device.captureCount)]);
  if (device.flagged) rows.push(["Flagged", device.flagReason ?? "possible cloned camera"]);
  rows.push(["Credential", h("span", { class: "mono" }, device.id)]);
  return h("dl", { class: "facts" }, ...rows.flatMap(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

function renameForm(flow: Flow, device: Device): HTMLElement {
  const renamed = form({ id: "rename", "aria-label": "Rename the camera" }, [field("rename-name", "Name", { type: "text", maxlength: 64, value: device.name ?? "", autocomplete: "off" })], "Rename", async (data) => {
    const answer = await api<{ device: Device }>("PATCH", devicePath(device), { name: text(data, "rename-name") });
    showDevice(flow, answer.device);
    say("info", `Renamed to ${deviceName(answer.device)}.`);
  });
  return h("section", { class: "card", "aria-labelledby": "rename-heading" }, h("h2", { id: "rename-heading" }, "Rename"), renamed);
}

function transferSection(device: Device): HTMLElement {
  const shown = h("div", { id: "transfer-result", "aria-live": "polite" });
  const start: HTMLButtonElement = h("button", { type: "button", class: "secondary", id: "transfer" }, "Start a transfer");
  start.addEventListener("click", () =>
    void perform(start, async () => {
      const transfer = await api<{ transferCode: string; expiresAt: string }>("POST", devicePath(device, "/transfer"));
      shown.replaceChildren(
        h(
          "div",
          { class: "notice info stack" },
          h("p", {}, "Give this code to the new owner. The camera stays yours until they enter it; starting again replaces it."),
          h("p", { class: "transfer-code mono", id: "transfer-code" }, transfer.transferCode),
          h("p", {}, "Valid until ", h("span", { id: "transfer-expires" }, timeElement(transfer.expiresAt)), "."),
        ),
      );
    }),
  );
  return h(
    "section",
    { class: "card", "aria-labelledby": "transfer-heading" },
    h("h2", { id: "transfer-heading" }, "Give it to someone"),
    h("p", { class: "muted" }, "Photos taken before the transfer keep you as their owner; later ones name the new owner."),
    h("div", { class: "actions" }, start),
    shown,
  );
}

/** An action on the camera that changes its standing for good: asked first, then the camera is shown as it now stands. */
function finalAction(flow: Flow, device: Device, options: { id: string; label: string; title: string; warning: string; done: string; action: string }): HTMLButtonElement {
  const button: HTMLButtonElement = h("button", { type: "button", class: "danger", id: options.id }, options.label);
  button.addEventListener("click", async () => {
    if (!(await confirmAction({ title: options.title, text: options.warning, confirm: options.label }))) return;
    await perform(button, async () => {
      const answer = await api<{ device: Device }>("POST", devicePath(device, options.action));
      showDevice(flow, answer.device);
      say("info", options.done);
    });
  });
  return button;
}

function dangerSection(flow: Flow, device: Device): HTMLElement | null {
  const buttons: HTMLButtonElement[] = [];
  if (device.status !== "stolen") {
    buttons.push(
      finalAction(flow, device, {
        id: "report-stolen",
        label: "Report stolen",
        title: `Report ${deviceName(device)} stolen?`,
        warning: "From now on nothing this camera seals is accepted, and every public check of its photos says it was reported stolen. This cannot be undone.",
        done: "Reported stolen. Photos sealed and synced before now stay valid.",
        action: "/report-stolen",
      }),
    );
  }
  if (device.status === "owned") {
    buttons.push(
      finalAction(flow, device, {
        id: "revoke",
        label: "Revoke",
        title: `Revoke ${deviceName(device)}?`,
        warning: "From now on nothing this camera seals is accepted, and it cannot be paired again. Photos it sealed and synced before now stay valid. This cannot be undone.",
        done: "Revoked. Photos sealed and synced before now stay valid.",
        action: "/revoke",
      }),
    );
  }
  if (buttons.length === 0) return null;
  return h(
    "section",
    { class: "card danger-zone", "aria-labelledby": "danger-heading" },
    h("h2", { id: "danger-heading" }, "Lost or stolen"),
    h("p", { class: "muted" }, "Revoking or reporting a camera stolen stops its new photos from counting. Neither can be undone."),
    h("div", { class: "actions" }, ...buttons),
  );
}

function approvalSection(flow: Flow, device: Device): HTMLElement {
  const approve: HTMLButtonElement = h("button", { type: "button", id: "approve" }, "Approve");
  approve.addEventListener("click", () =>
    void perform(approve, async () => {
      const answer = await api<{ device: Device }>("POST", devicePath(device, "/approve"));
      showDevice(flow, answer.device);
      say("info", "Approved: the reset camera is yours again, and its earlier credential is revoked.");
    }),
  );
  const refuse: HTMLButtonElement = h("button", { type: "button", class: "danger", id: "refuse" }, "Refuse");
  refuse.addEventListener("click", async () => {
    const sure = await confirmAction({
      title: "Refuse this re-registration?",
      text: "Nothing this reset camera seals will ever count. Refuse if you did not reset your camera yourself (a thief may have). This cannot be undone.",
      confirm: "Refuse",
    });
    if (!sure) return;
    await perform(refuse, async () => {
      await api("POST", devicePath(device, "/refuse"));
      flow.dashboard();
      say("info", `Refused: nothing the reset camera ${device.serial} seals will count.`);
    });
  });
  return h(
    "section",
    { class: "card", "aria-labelledby": "approval-heading" },
    h("h2", { id: "approval-heading" }, "Approve this reset camera?"),
    h("p", {}, `A camera with serial ${device.serial}, which you own, was reset and registered a new credential. Approve it if you reset it yourself.`),
    h("div", { class: "actions" }, approve, refuse),
  );
}

export function showDevice(flow: Flow, device: Device): void {
  const pending = device.status === "pending_approval";
  showView(
    deviceName(device),
    h("p", {}, h("button", { type: "button", class: "secondary", id: "back", onclick: () => flow.dashboard() }, "← All cameras")),
    h("div", { class: "card stack", id: "device" }, statusChips(device), facts(device)),
    pending ? approvalSection(flow, device) : null,
    pending ? null : h("div", { class: "device-actions" }, renameForm(flow, device), device.status === "owned" ? transferSection(device) : null, dangerSection(flow, device)),
    pending ? null : capturesSection(device.id),
  );
}

export async function loadDevice(flow: Flow, id: string): Promise<void> {
  await perform(null, async () => showDevice(flow, (await api<{ device: Device }>("GET", `/v1/owner/devices/${encodeURIComponent(id)}`)).device));
}
