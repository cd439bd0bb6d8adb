// Elements are built with textContent and attributes only: nothing from the API is ever parsed as HTML.

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((e: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === "function") {
      el.addEventListener(name.replace(/^on/, ""), value);
    } else if (value === true) {
      el.setAttribute(name, "");
    } else {
      el.setAttribute(name, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces the main region's content and moves focus there, so a screen reader announces the new page. */
export function show(title: string, ...content: (Child | Child[])[]): HTMLElement {
  const main = document.getElementById("main")!;
  main.replaceChildren(h("h1", {}, title), ...content.flat().filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
  document.title = `${title} · Serverless PKI`;
  main.focus();
  return main;
}

export function date(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : "";
}

/** Whole days from now to the instant, rounded down (negative once past). */
export function daysLeft(iso: string, now: Date = new Date()): number {
  return Math.floor((Date.parse(iso) - now.getTime()) / 86_400_000);
}

export function message(kind: "error" | "info", text: string): HTMLElement {
  return h("p", { class: `msg ${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}
