import type { RemoteVerdict } from "../../src/verify/check-with-verifier.ts";
import { h, timeElement } from "../shared/dom.ts";
import type { Headline } from "./explain.ts";
import { technicalView } from "./render-technical.ts";

export function verdictBanner(headline: Headline): HTMLElement {
  return h(
    "section",
    { id: "verdict", class: "verdict", "data-verdict": headline.verdict, "data-tone": headline.tone, "aria-labelledby": "verdict-title" },
    h("span", { class: "icon", "aria-hidden": "true" }, headline.icon),
    h("h2", { id: "verdict-title", class: "title", tabindex: "-1" }, headline.title),
    h("p", { class: "reason" }, headline.reason),
  );
}

export interface ShownPhoto {
  url: string;
  name: string;
  width: number;
  height: number;
}

/** The whole answer: verdict, the photo, the facts a person asks about, then every field for those who want them. */
export function resultView(verdict: RemoteVerdict, headline: Headline, photo: ShownPhoto | null): HTMLElement[] {
  const facts = factsCard(verdict);
  const figure = photo
    ? h(
        "figure",
        { class: "photo" },
        // Width and height come from the JPEG's frame header, so the layout is settled before the picture decodes.
        h("img", { src: photo.url, alt: `The photo you picked: ${photo.name}`, width: photo.width, height: photo.height, decoding: "async" }),
        h("figcaption", {}, `${photo.name} · ${photo.width} × ${photo.height} · checked in this page, not uploaded`),
      )
    : h(
        "figure",
        { class: "photo" },
        h("figcaption", {}, "The verifier keeps capture records, not photos: pick the photo above to check its pixels against this record."),
      );
  return [verdictBanner(headline), h("div", { class: "details" }, figure, facts), technicalView(verdict)];
}

function factsCard(verdict: RemoteVerdict): HTMLElement {
  const { device, payload, recorded, owner } = verdict;
  const rows: [string, string, Node | string][] = [];
  if (device) {
    rows.push(["camera", "Camera", `${device.model ?? "Unknown model"} · serial ${device.serial}`]);
    rows.push(["attested", "Attested by", `${commonName(device.attestedBy)} (the camera's certificate chains to this trusted manufacturer root)`]);
  } else if (payload) {
    rows.push(["camera", "Camera", `Claims ${String(payload.meta.model ?? "an unknown model")} · serial ${String(payload.meta.serial ?? "?")} (not registered here)`]);
  }
  if (payload) rows.push(["firmware", "Firmware", String(payload.meta.firmware ?? "not stated")]);
  if (owner) {
    const name = owner.displayName;
    rows.push([
      "owner",
      "Owner",
      owner.as === "at_capture"
        ? name === null
          ? "Not paired with an owner when this was taken"
          : `${name} (owner when this was taken)`
        : name === null
          ? "Not paired with an owner"
          : `${name} (owns the camera now; this photo is not synced yet)`,
    ]);
  } else if (device) {
    rows.push(["owner", "Owner", "Not shown: the record's signature did not verify"]);
  }
  if (payload) {
    rows.push(["captured", "Captured", fragment(timeElement(payload.capturedAt), " by the camera's clock")]);
    rows.push(["time-trust", "Time trusted", timeTrust(verdict)]);
    rows.push(["source", "Source", payload.source === "sensor" ? "The camera's sensor" : "An imported file (not captured by this camera)"]);
  }
  if (recorded) {
    rows.push(["recorded", "Record synced", fragment(timeElement(recorded.receivedAt), " · ", permalink(recorded.captureId, "permalink"))]);
    rows.push(["chain", "Chain", chainText(recorded)]);
  } else if (payload) {
    rows.push(["recorded", "Record synced", "Not synced to this verifier yet"]);
    rows.push(["chain", "Chain", `Counter ${payload.counter}; its place in the camera's chain is known once it syncs`]);
  }
  const card = h("section", { class: "card", "aria-labelledby": "facts-title" }, h("h2", { id: "facts-title" }, "What the record says"));
  const revocation = revocationNotice(verdict);
  if (revocation) card.append(revocation);
  if (rows.length === 0) card.append(h("p", { class: "muted" }, "Nothing: the file has no capture record to read."));
  else card.append(h("dl", { class: "facts" }, ...rows.flatMap(([id, term, value]) => [h("dt", {}, term), h("dd", { id }, value)])));
  if (verdict.exifDisagreements.length > 0) {
    card.append(
      h("h3", {}, "Visible metadata that the camera did not sign"),
      h(
        "ul",
        { id: "exif-disagreements" },
        ...verdict.exifDisagreements.map(({ field, visible, signed }) =>
          h("li", {}, signed === null ? `${field} "${visible}" was never signed by the camera` : `${field} reads "${visible}", but the camera signed "${signed}"`),
        ),
      ),
    );
  }
  return card;
}

/** How far the capture time is trusted: the camera's clock alone, or a window the verifier's own clock bounds. */
function timeTrust(verdict: RemoteVerdict): Node | string {
  const anchor = verdict.payload?.anchor?.t ?? null;
  const received = verdict.recorded?.receivedAt ?? null;
  if (anchor && received) return fragment("Server-bounded: after ", timeElement(anchor), " (a time the verifier signed) and before ", timeElement(received), " (when it synced)");
  if (received) return fragment("Bounded above: before ", timeElement(received), " (when it synced); the lower bound is the camera's clock");
  if (anchor) return fragment("Bounded below: after ", timeElement(anchor), " (a time the verifier signed); the upper bound comes once it syncs");
  return "The camera's clock only: no verifier time bounds it yet";
}

function chainText(recorded: NonNullable<RemoteVerdict["recorded"]>): Node {
  const { chain, counter } = recorded;
  return fragment(
    `Capture ${chain.position} of this camera (counter ${counter}); `,
    chainAround(chain),
    chain.previousId ? fragment(" · ", permalink(chain.previousId, "previous")) : "",
    chain.nextId ? fragment(" · ", permalink(chain.nextId, "next")) : "",
  );
}

/** Whether the records either side link to this one: a gap means captures the verifier never received. */
function chainAround(chain: NonNullable<RemoteVerdict["recorded"]>["chain"]): string {
  if (chain.gapBefore === false && chain.gapAfter === false && chain.previousId !== null) return "the chain around it is intact";
  const before =
    chain.previousId === null && !chain.gapBefore
      ? "the camera's first capture"
      : chain.gapBefore
        ? "a gap before it (earlier captures never reached the verifier)"
        : "linked to the one before it";
  const after = chain.gapAfter === null ? "its latest recorded capture" : chain.gapAfter ? "a gap after it (later captures are missing)" : "linked to the one after it";
  return `${before}; ${after}`;
}

function revocationNotice(verdict: RemoteVerdict): HTMLElement | null {
  const device = verdict.device;
  if (!device || (device.revokedAt === null && device.reportedStolenAt === null)) {
    if (device?.status === "pending_approval") return h("p", { id: "revocation", class: "notice info" }, "This camera waits for its owner's approval after a factory reset.");
    return null;
  }
  const stolen = device.reportedStolenAt !== null;
  const at = (stolen ? device.reportedStolenAt : device.revokedAt)!;
  const before = verdict.verdict === "authentic" || verdict.verdict === "altered";
  return h(
    "p",
    { id: "revocation", class: before ? "notice info" : "notice error" },
    stolen ? "This camera was reported stolen and revoked on " : "This camera was revoked on ",
    timeElement(at),
    before
      ? ". This photo was sealed and synced before that, so its seal still counts."
      : ". Photos it sealed or synced after that no longer count.",
  );
}

/** The CN of a distinguished name, which is what a person reads; the whole name is in the technical view. */
function commonName(distinguishedName: string): string {
  return /(?:^|,\s*)CN=([^,]+)/.exec(distinguishedName)?.[1] ?? distinguishedName;
}

function permalink(captureId: string, label: string): HTMLElement {
  return h("a", { href: `/c/${captureId}` }, label);
}

function fragment(...children: (Node | string)[]): DocumentFragment {
  const node = document.createDocumentFragment();
  node.append(...children);
  return node;
}
