import { fromBase64Url } from "../../src/bytes.ts";
import { readImageInfo } from "../../src/jpeg/image-info.ts";
import { CAPTURE_ID_PATTERN } from "../../src/record/capture-record.ts";
import { type RecordedCapture, type RemoteVerdict, checkWithVerifier, getOrNull } from "../../src/verify/check-with-verifier.ts";
import { byId, h, replaceChildren } from "../shared/dom.ts";
import { browserFingerprint } from "./browser-fingerprint.ts";
import { badInput, headlineOf } from "./explain.ts";
import { readPickedPhoto } from "./read-photo.ts";
import { type ShownPhoto, resultView, verdictBanner } from "./render-result.ts";

const input = byId<HTMLInputElement>("photo");
const dropzone = byId<HTMLFormElement>("pick");
const result = byId("result");
const status = byId("status");

/** A permalink (`/c/:id`) shows that recorded capture until the visitor picks a photo. */
const permalinkId = new RegExp(`^/c/(${CAPTURE_ID_PATTERN})$`).exec(location.pathname)?.[1] ?? null;

// Each check supersedes the one before: a late answer for an earlier photo is dropped.
let generation = 0;
let shownPhotoUrl: string | null = null;

/** A check usually ends before a "checking" notice would be read; it appears only for a slow one. */
const SHOW_PROGRESS_AFTER_MS = 300;

async function checkFile(file: File): Promise<void> {
  const mine = ++generation;
  performance.mark("snapseal:check-start");
  result.replaceChildren();
  const progress = setTimeout(() => {
    if (mine !== generation) return;
    announce(`Checking ${file.name}…`);
    replaceChildren(result, h("p", { class: "card", id: "checking" }, h("span", { class: "spinner", "aria-hidden": "true" }), ` Checking ${file.name} in this page…`));
  }, SHOW_PROGRESS_AFTER_MS);
  try {
    const picked = await readPickedPhoto(file);
    if (!picked.ok) {
      if (mine === generation) show([verdictBanner(badInput(picked.problem))], "Cannot check this file");
      return;
    }
    const verdict = await checkWithVerifier({ jpeg: picked.jpeg, head: picked.head }, { server: "", fingerprint: browserFingerprint });
    performance.measure("snapseal:check", "snapseal:check-start");
    if (mine !== generation) return;
    const headline = headlineOf(verdict, true);
    show(resultView(verdict, headline, photoOf(file, await picked.jpeg)), headline.title);
    noteSuperseded(verdict);
  } catch (error) {
    if (mine === generation) show([verdictBanner(failedCheck(error))], "The check could not finish");
  } finally {
    clearTimeout(progress);
  }
}

async function showPermalink(id: string): Promise<void> {
  const mine = ++generation;
  announce("Loading the recorded capture…");
  try {
    const recorded = await getOrNull<RecordedCapture>(`/v1/captures/${id}`);
    if (mine !== generation) return;
    if (!recorded) {
      show([verdictBanner({ verdict: "no_record", tone: "plain", icon: "–", title: "No such capture", reason: `This verifier has recorded no capture ${id}. Check the link, or pick the photo itself.` })], "No such capture");
      return;
    }
    const verdict = await checkWithVerifier({ record: fromBase64Url(recorded.record) }, { server: "" });
    if (mine !== generation) return;
    const headline = headlineOf(verdict, false);
    byId("heading").textContent = "A recorded capture";
    show(resultView(verdict, headline, null), headline.title);
  } catch (error) {
    if (mine === generation) show([verdictBanner(failedCheck(error))], "The check could not finish");
  }
}

function photoOf(file: File, jpeg: Uint8Array): ShownPhoto | null {
  if (shownPhotoUrl) URL.revokeObjectURL(shownPhotoUrl);
  shownPhotoUrl = null;
  let size: { width: number; height: number };
  try {
    size = readImageInfo(jpeg);
  } catch {
    return null;
  }
  shownPhotoUrl = URL.createObjectURL(file);
  return { url: shownPhotoUrl, name: file.name, ...size };
}

/** On a permalink, a picked photo of another capture is answered for itself, and the page says so. */
function noteSuperseded(verdict: RemoteVerdict): void {
  if (permalinkId === null || verdict.captureId === undefined || verdict.captureId === permalinkId) return;
  result.prepend(h("p", { class: "notice info", id: "other-capture" }, "This photo is not the capture this link names: the answer below is for the photo you picked."));
}

function failedCheck(error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  return { ...badInput(`The check could not finish: ${message}`), verdict: "bad_input" as const };
}

function show(nodes: HTMLElement[], title: string): void {
  replaceChildren(result, ...nodes);
  announce(title);
  byId("verdict-title").focus({ preventScroll: false });
}

function announce(text: string): void {
  status.textContent = text;
}

input.addEventListener("change", () => {
  const file = input.files?.[0];
  if (file) void checkFile(file);
});

// Dropping a file anywhere on the page checks it, rather than letting the browser navigate away to it.
for (const type of ["dragenter", "dragover"] as const) {
  document.addEventListener(type, (event) => {
    event.preventDefault();
    dropzone.classList.add("over");
  });
}
document.addEventListener("dragleave", (event) => {
  if (event.relatedTarget === null) dropzone.classList.remove("over");
});
document.addEventListener("drop", (event) => {
  event.preventDefault();
  dropzone.classList.remove("over");
  const file = event.dataTransfer?.files[0];
  if (file) void checkFile(file);
});
dropzone.addEventListener("submit", (event) => event.preventDefault());

if (permalinkId) void showPermalink(permalinkId);
