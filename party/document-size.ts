import * as Y from "yjs";

/**
 * Enforces the document cap without encoding the whole document on every keystroke: the size is
 * measured once and grown by each update's length (an upper bound, since the document's own
 * encoding merges runs); only an edit that might cross the cap pays for an exact answer.
 */
export class DocumentSizeGuard {
  private measured: number;
  private growth = 0;
  private readonly onUpdate = (update: Uint8Array) => {
    this.growth += update.byteLength;
  };

  constructor(
    private readonly doc: Y.Doc,
    readonly maxBytes: number,
  ) {
    this.measured = Y.encodeStateAsUpdate(doc).byteLength;
    doc.on("update", this.onUpdate);
  }

  /** Whether the document stays within the cap once `update` (not yet applied) is. */
  admits(update: Uint8Array): boolean {
    return this.admitsBytes(update.byteLength, () => Y.mergeUpdates([Y.encodeStateAsUpdate(this.doc), update]).byteLength);
  }

  /** Whether `extraBytes` more (e.g. a restored snapshot inserted as new content) fit. */
  admitsGrowth(extraBytes: number): boolean {
    return this.admitsBytes(extraBytes, () => this.measured + extraBytes);
  }

  /** The document's encoded size now. */
  size(): number {
    this.remeasure();
    return this.measured;
  }

  destroy(): void {
    this.doc.off("update", this.onUpdate);
  }

  private admitsBytes(extraBytes: number, exactSizeAfter: () => number): boolean {
    if (this.measured + this.growth + extraBytes <= this.maxBytes) return true;
    this.remeasure();
    if (this.measured + extraBytes <= this.maxBytes) return true;
    return exactSizeAfter() <= this.maxBytes;
  }

  private remeasure(): void {
    this.measured = Y.encodeStateAsUpdate(this.doc).byteLength;
    this.growth = 0;
  }
}
