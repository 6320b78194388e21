/**
 * Decodes Stripe's bracketed form encoding (`line_items[0][price]=price_1&expand[]=customer`) into
 * nested objects and arrays. Values stay strings: each endpoint's schema decides what is a number.
 */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormObject = { [key: string]: FormValue };

/** `a[b][0][c]` → ["a", "b", "0", "c"]; `a[]` → ["a", ""] (append). */
export function splitKey(key: string): string[] {
  const open = key.indexOf("[");
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  for (const match of key.slice(open).matchAll(/\[([^\]]*)\]/g)) segments.push(match[1] ?? "");
  return segments;
}

const isIndex = (segment: string) => segment === "" || /^\d+$/.test(segment);

export function decodeForm(pairs: Iterable<[string, string]>): FormObject {
  const root: FormObject = {};
  for (const [key, value] of pairs) {
    const path = splitKey(key);
    let container: FormObject | FormValue[] = root;
    for (let i = 0; i < path.length; i++) {
      const segment = path[i]!;
      const last = i === path.length - 1;
      const slot: string | number = Array.isArray(container) ? (segment === "" ? container.length : Number(segment)) : segment;
      const existing: FormValue | undefined = (container as Record<string | number, FormValue>)[slot];
      if (last) {
        (container as Record<string | number, FormValue>)[slot] = value;
        break;
      }
      // The next segment decides the shape: an index (or `[]`) means an array.
      const next = path[i + 1]!;
      const child: FormObject | FormValue[] = existing !== undefined && typeof existing === "object" ? existing : isIndex(next) ? [] : {};
      (container as Record<string | number, FormValue>)[slot] = child;
      container = child;
    }
  }
  return compactArrays(root) as FormObject;
}

/** Sparse indices (`a[0]`, `a[2]`) leave holes; Stripe treats the list as the present items in order. */
function compactArrays(value: FormValue): FormValue {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(compactArrays);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, compactArrays(v)]));
  }
  return value;
}

export function decodeFormString(body: string): FormObject {
  return decodeForm(new URLSearchParams(body).entries());
}
