import * as Y from "yjs";

/** Tiptap's document lives in this XmlFragment (see the projects contract). */
export const CONTENT_FIELD = "content";

type RootKind = "xml" | "text" | "map" | "array";
const constructors = { xml: Y.XmlFragment, text: Y.Text, map: Y.Map, array: Y.Array } as const;
/** A root as Y.Doc's `share` holds it: untyped until asked for by constructor. */
type SharedRoot = NonNullable<ReturnType<Y.Doc["share"]["get"]>>;
/** A root asked for by one of the constructors above. */
type Root = InstanceType<(typeof constructors)[RootKind]>;

export class RestoreConflict extends Error {}

/**
 * Makes `doc`'s content equal to the snapshot's: for every root type, the live content is deleted
 * and a clone of the snapshot's inserted, in one transaction. A CRDT cannot go back in time, so
 * restoring is a new edit on top of the history, and connected clients converge to it like to any
 * other update. Roots the snapshot lacks are emptied.
 */
export function replaceDocumentContent(doc: Y.Doc, snapshotUpdate: Uint8Array, origin: unknown): void {
  const snapshot = new Y.Doc({ gc: false });
  Y.applyUpdate(snapshot, snapshotUpdate);
  const names = new Set([...doc.share.keys(), ...snapshot.share.keys()]);
  const plan: { name: string; kind: RootKind; source: Root | null }[] = [];
  for (const name of names) {
    const kind = name === CONTENT_FIELD ? "xml" : (rootKind(snapshot.share.get(name)) ?? rootKind(doc.share.get(name)));
    if (!kind) continue;
    const source = snapshot.share.has(name) ? rootOf(snapshot, name, kind) : null;
    plan.push({ name, kind, source });
  }
  // Resolve every live root before changing anything, so a type clash leaves the document as it was.
  const targets = plan.map((step) => ({ ...step, target: rootOf(doc, step.name, step.kind) }));
  doc.transact(() => {
    for (const { kind, source, target } of targets) {
      clear(kind, target);
      if (source) copy(kind, source, target);
    }
  }, origin);
  snapshot.destroy();
}

function rootOf(doc: Y.Doc, name: string, kind: RootKind): Root {
  try {
    return doc.get(name, constructors[kind]);
  } catch {
    throw new RestoreConflict(`root "${name}" has a different type in the live document`);
  }
}

/**
 * A root's type as the application defined it. Roots read from an update are untyped until someone
 * asks for them by constructor, so the kind is inferred from their content.
 */
function rootKind(type: SharedRoot | undefined): RootKind | null {
  if (!type) return null;
  if (type instanceof Y.XmlFragment) return "xml";
  if (type instanceof Y.Text) return "text";
  if (type instanceof Y.Map) return "map";
  if (type instanceof Y.Array) return "array";
  for (let item = type._start; item !== null; item = item.right) {
    const content = item.content;
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat || content instanceof Y.ContentEmbed) return "text";
    if (content instanceof Y.ContentType) {
      const child = content.type;
      return child instanceof Y.XmlElement || child instanceof Y.XmlText || child instanceof Y.XmlHook ? "xml" : "array";
    }
    if (!(content instanceof Y.ContentDeleted)) return "array";
  }
  return type._map.size > 0 ? "map" : null;
}

function clear(kind: RootKind, target: Root): void {
  if (kind === "map") {
    const map = target as Y.Map<unknown>;
    for (const key of Array.from(map.keys())) map.delete(key);
  } else {
    const list = target as Y.Text | Y.XmlFragment | Y.Array<unknown>;
    if (list.length > 0) list.delete(0, list.length);
  }
}

function copy(kind: RootKind, source: Root, target: Root): void {
  switch (kind) {
    case "xml":
      (target as Y.XmlFragment).insert(
        0,
        (source as Y.XmlFragment).toArray().map((node) => node.clone() as Y.XmlElement | Y.XmlText),
      );
      break;
    case "text":
      (target as Y.Text).applyDelta(
        (source as Y.Text).toDelta().map((op: { insert?: unknown }) => ({ ...op, insert: cloneValue(op.insert) })),
      );
      break;
    case "array":
      (target as Y.Array<unknown>).insert(0, (source as Y.Array<unknown>).toArray().map(cloneValue));
      break;
    case "map":
      (source as Y.Map<unknown>).forEach((value, key) => {
        (target as Y.Map<unknown>).set(key, cloneValue(value));
      });
      break;
  }
}

/** A Y type can be integrated only once, so nested types are cloned; plain values are copied. */
function cloneValue(value: unknown): unknown {
  return value instanceof Y.AbstractType ? value.clone() : value;
}
