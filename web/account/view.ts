import { byId, h, replaceChildren } from "../shared/dom.ts";
import { endsSession, inPlainWords } from "./refusals.ts";

type Content = Node | string | null | undefined | false;

/**
 * Shows a view: its heading takes the focus, so a screen reader announces
 * where the person now is and the keyboard starts from there.
 */
export function showView(heading: string, ...content: Content[]): HTMLHeadingElement {
  const title = h("h1", { tabindex: -1, id: "view-heading" }, heading);
  replaceChildren(byId("view"), title, ...content);
  document.title = `${heading} · SnapSeal`;
  title.focus();
  return title;
}

/** Into the live region: read out without moving the focus. */
export function say(kind: "error" | "info", text: string): void {
  replaceChildren(byId("messages"), h("p", { class: `notice ${kind}`, role: kind === "error" ? "alert" : null, "data-kind": kind }, text));
}

export function clearMessages(): void {
  replaceChildren(byId("messages"));
}

let sessionEnded: (() => void) | undefined;

/** Where the page goes when the verifier says the session is gone. */
export function onSessionEnded(handler: () => void): void {
  sessionEnded = handler;
}

/**
 * Runs what a button or form (or the page itself) asked for: the control is disabled meanwhile (no
 * double submits), a refusal is said in plain words, and an ended session
 * leads back to sign-in. Answers true when the action went through.
 */
export async function perform(control: HTMLButtonElement | HTMLFormElement | null, action: () => Promise<void>): Promise<boolean> {
  const buttons = control instanceof HTMLFormElement ? [...control.querySelectorAll("button")] : control ? [control] : [];
  for (const button of buttons) button.disabled = true;
  clearMessages();
  try {
    await action();
    return true;
  } catch (error) {
    if (endsSession(error) && sessionEnded) sessionEnded();
    say("error", inPlainWords(error));
    return false;
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

/** A form whose submit (a button or Enter) runs `action` with its fields; the browser's own validation runs first. */
export function form(attributes: Record<string, string>, fields: Content[], submitLabel: string, action: (data: FormData, form: HTMLFormElement) => Promise<void>): HTMLFormElement {
  const element = h("form", attributes, ...fields, h("div", { class: "actions" }, h("button", { type: "submit" }, submitLabel)));
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    void perform(element, () => action(new FormData(element), element));
  });
  return element;
}

/** A labelled input; a hint is part of its label, so it is read with it. */
export function field(id: string, label: string, input: Record<string, string | number | boolean>, hint?: string): HTMLElement {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, hint ? h("span", { class: "hint" }, ` (${hint})`) : null),
    h("input", { id, name: id, required: true, ...input }),
  );
}

export function text(data: FormData, name: string): string {
  const value = data.get(name);
  return typeof value === "string" ? value : "";
}

/** Asks before something that cannot be undone; the native dialog keeps the focus inside and Escape cancels. */
export function confirmAction(options: { title: string; text: string; confirm: string }): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  byId("confirm-title").textContent = options.title;
  byId("confirm-text").textContent = options.text;
  byId("confirm-ok").textContent = options.confirm;
  dialog.returnValue = "";
  dialog.showModal();
  byId("confirm-cancel").focus();
  return new Promise((resolve) => dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true }));
}
