/**
 * SHA-256 (FIPS 180-4) whose running state can be saved as a short string and taken up again, so a
 * table's checksum can run across cron ticks: an export step saves it with the table's position
 * (neither WebCrypto nor node:crypto can serialize a hash in progress, and hash-wasm's save/load
 * compiles WebAssembly at run time, which Workers refuse). It digests exactly what
 * node:crypto's sha256 digests for the same bytes: the restore and the tests check a table's rows
 * with node:crypto (dump.ts), so each checks this implementation too.
 */

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be,
  0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa,
  0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85,
  0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
  0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f,
  0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const INITIAL = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
/** `<8 state words, hex>.<buffered bytes, hex>.<bytes hashed so far>` */
const SAVED = /^([0-9a-f]{64})\.((?:[0-9a-f]{2}){0,63})\.(0|[1-9][0-9]{0,15})$/;

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const fromHex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));

export class Sha256 {
  readonly #h = new Uint32Array(INITIAL);
  readonly #w = new Uint32Array(64);
  /** The bytes of an unfinished 64-byte block. */
  readonly #block = new Uint8Array(64);
  #buffered = 0;
  /** Bytes hashed so far (a table of 2^53 bytes is far beyond D1's 10 GB). */
  #length = 0;

  /** A fresh hash, or the one `saved` answered by `save()`. */
  constructor(saved?: string) {
    if (saved === undefined) return;
    const match = SAVED.exec(saved);
    if (!match) throw new Error("not a saved SHA-256 state");
    const [, words, buffered, length] = match as unknown as [string, string, string, string];
    for (let i = 0; i < 8; i++) this.#h[i] = Number.parseInt(words.slice(i * 8, i * 8 + 8), 16);
    this.#block.set(fromHex(buffered));
    this.#buffered = buffered.length / 2;
    this.#length = Number(length);
    if (this.#length % 64 !== this.#buffered) throw new Error("not a saved SHA-256 state");
  }

  update(data: Uint8Array): this {
    let at = 0;
    this.#length += data.length;
    if (this.#buffered > 0) {
      const take = Math.min(64 - this.#buffered, data.length);
      this.#block.set(data.subarray(0, take), this.#buffered);
      this.#buffered += take;
      at = take;
      if (this.#buffered < 64) return this;
      this.#compress(this.#block, 0);
      this.#buffered = 0;
    }
    for (; at + 64 <= data.length; at += 64) this.#compress(data, at);
    if (at < data.length) {
      this.#block.set(data.subarray(at));
      this.#buffered = data.length - at;
    }
    return this;
  }

  /** The running state: `new Sha256(saved)` goes on exactly where this one is. */
  save(): string {
    const words = new Uint8Array(32);
    const view = new DataView(words.buffer);
    for (let i = 0; i < 8; i++) view.setUint32(i * 4, this.#h[i] as number);
    return `${hex(words)}.${hex(this.#block.subarray(0, this.#buffered))}.${this.#length}`;
  }

  /** The digest of everything hashed so far, in lowercase hex (this hash is left as it was). */
  hex(): string {
    const last = new Sha256(this.save());
    const bits = this.#length * 8;
    // 0x80, zeros up to 56 bytes into a block, then the length in bits as 64 bits big-endian.
    const padding = new Uint8Array((this.#buffered < 56 ? 56 : 120) - this.#buffered + 8);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    view.setUint32(padding.length - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padding.length - 4, bits >>> 0);
    last.update(padding);
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setUint32(i * 4, last.#h[i] as number);
    return hex(out);
  }

  #compress(data: Uint8Array, at: number) {
    const w = this.#w;
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = ((data[j] as number) << 24) | ((data[j + 1] as number) << 16) | ((data[j + 2] as number) << 8) | (data[j + 3] as number);
    }
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15] as number;
      const y = w[i - 2] as number;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    const h = this.#h;
    let a = h[0] as number;
    let b = h[1] as number;
    let c = h[2] as number;
    let d = h[3] as number;
    let e = h[4] as number;
    let f = h[5] as number;
    let g = h[6] as number;
    let k = h[7] as number;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + (K[i] as number) + (w[i] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = (h[0] as number) + a;
    h[1] = (h[1] as number) + b;
    h[2] = (h[2] as number) + c;
    h[3] = (h[3] as number) + d;
    h[4] = (h[4] as number) + e;
    h[5] = (h[5] as number) + f;
    h[6] = (h[6] as number) + g;
    h[7] = (h[7] as number) + k;
  }
}
