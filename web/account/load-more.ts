import { api } from "../shared/api.ts";
import { h } from "../shared/dom.ts";
import { perform } from "./view.ts";

/**
 * A list of the owner API that pages by `before` (docs/api.md): the first page
 * now, the next at each "Load more", which hides at the end; an empty list
 * says so instead.
 */
export function loadMore<T>(options: {
  path: string;
  itemsKey: string;
  pageSize: number;
  list: HTMLElement;
  render: (item: T) => HTMLElement;
  moreId: string;
  emptyText: string;
}): { more: HTMLButtonElement; empty: HTMLElement } {
  const more = h("button", { type: "button", class: "secondary", id: options.moreId, hidden: true }, "Load more");
  const empty = h("p", { class: "muted", hidden: true }, options.emptyText);
  let before: number | null = null;
  const load = (control: HTMLButtonElement | null) =>
    perform(control, async () => {
      const query = new URLSearchParams({ limit: String(options.pageSize) });
      if (before !== null) query.set("before", String(before));
      const page = await api<Record<string, unknown> & { next: number | null }>("GET", `${options.path}?${query}`);
      options.list.append(...(page[options.itemsKey] as T[]).map(options.render));
      before = page.next;
      more.hidden = page.next === null;
      empty.hidden = options.list.childElementCount > 0;
    });
  more.addEventListener("click", () => void load(more));
  void load(null);
  return { more, empty };
}
