/**
 * Who is in the room, from y-protocols awareness: one entry per person (several tabs count once),
 * with their colour, "(you)" for the local user, and "typing…" while any of their tabs types.
 */
import type { Awareness } from "y-protocols/awareness";
import { h, replace } from "../dom";
import type { PresenceUser } from "./collab-editor";

interface Present extends PresenceUser {
  typing: boolean;
  self: boolean;
}

function isUser(value: unknown): value is PresenceUser {
  const user = value as PresenceUser | null;
  return typeof user?.id === "string" && typeof user.name === "string" && typeof user.color === "string";
}

export function presentPeople(awareness: Awareness): Present[] {
  const people = new Map<string, Present>();
  for (const [clientId, state] of awareness.getStates()) {
    if (!isUser(state.user)) continue;
    const self = clientId === awareness.clientID;
    const known = people.get(state.user.id);
    const typing = state.typing === true;
    if (known) {
      known.typing ||= typing;
      known.self ||= self;
    } else people.set(state.user.id, { ...state.user, typing, self });
  }
  return [...people.values()].sort((a, b) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name));
}

function entry(person: Present): HTMLElement {
  const swatch = h("span", { class: "presence-swatch", "aria-hidden": "true" });
  // Through CSSOM: the CSP refuses style attributes.
  swatch.style.backgroundColor = person.color;
  return h(
    "li",
    { class: "presence-person", "data-user-id": person.id, "data-typing": person.typing ? "true" : "false" },
    swatch,
    h("span", { class: "presence-name" }, person.name),
    person.self && h("span", { class: "muted" }, " (you)"),
    person.typing && h("span", { class: "presence-typing" }, " typing…"),
  );
}

/** A live list; returns the element and a stop function that unsubscribes. */
export function presenceList(awareness: Awareness): { element: HTMLElement; stop: () => void } {
  const list = h("ul", { class: "presence-list", "aria-label": "People here" });
  const render = () => replace(list, presentPeople(awareness).map(entry));
  awareness.on("change", render);
  render();
  return { element: list, stop: () => awareness.off("change", render) };
}
