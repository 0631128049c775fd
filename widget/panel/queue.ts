// Submissions wait in localStorage until the server has acknowledged them: offline, a 5xx or a lost
// answer keeps them, and they are retried with backoff, when the browser is back online, and on the next
// page view. The idempotency key makes every retry safe: the server stores each submission once.
export interface Pending {
  key: string;
  path: "feedback" | "request";
  body: Record<string, unknown>;
  attempts: number;
}

export type Outcome =
  | { ok: true; data: { number?: number } }
  /** `field`: the input the server refused, when it named one. */
  | { ok: false; retry: boolean; messageKey: string; field?: string };

const STORE = "tengsl:pending";

export const load = (): Pending[] => {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? "[]") as Pending[];
  } catch {
    return [];
  }
};
const save = (items: Pending[]) => {
  try {
    if (items.length) localStorage.setItem(STORE, JSON.stringify(items));
    else localStorage.removeItem(STORE);
  } catch {
    // storage full or blocked: the submission is still tried now
  }
};

/**
 * A submission's idempotency key: 32 hex digits, the time first (12, in milliseconds), then 80 random
 * bits. The server keeps the keys in a unique index; keys that begin with the time land together at its
 * end instead of each on a random page that the commit must write out (docs/decisions/031).
 */
export function newKey(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(10));
  const random = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return now.toString(16).padStart(12, "0") + random;
}

/** Sends one submission; a network failure or a 5xx means "try again later", never a thrown error. */
export async function send(base: string, item: Pending): Promise<Outcome> {
  try {
    const res = await fetch(`${base}/api/widget/${item.path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...item.body, idempotencyKey: item.key }),
    });
    const json = (await res.json().catch(() => ({}))) as {
      result?: { data?: { number?: number } };
      error?: { message?: string; data?: { fieldErrors?: Record<string, string[]> } };
    };
    if (res.ok) return { ok: true, data: json.result?.data ?? {} };
    // A field's own message ("enter an email like …") says more than "some input is not valid".
    const [field, messages] = Object.entries(json.error?.data?.fieldErrors ?? {})[0] ?? [];
    return {
      ok: false,
      retry: res.status >= 500 || res.status === 429,
      messageKey: messages?.[0] ?? json.error?.message ?? "error",
      ...(field ? { field } : {}),
    };
  } catch {
    return { ok: false, retry: true, messageKey: "queued" };
  }
}

/** Adds a submission and sends it; keeps it when it should be retried. */
export async function submit(base: string, item: Pending): Promise<Outcome> {
  save([...load().filter((p) => p.key !== item.key), item]);
  const outcome = await send(base, item);
  if (outcome.ok || !outcome.retry) save(load().filter((p) => p.key !== item.key));
  return outcome;
}

let timer: ReturnType<typeof setTimeout> | undefined;

/** Tries again after a wait (2 s doubling to 5 min with each failed attempt). */
export function later(base: string, onChange: () => void, attempts: number) {
  clearTimeout(timer);
  timer = setTimeout(
    () => flush(base, onChange),
    Math.min(2000 * 2 ** Math.min(attempts, 8), 300_000),
  );
}

/** Sends what is waiting now (on start, and whenever the browser is back online), then retries the rest later. */
export function flush(base: string, onChange: () => void) {
  clearTimeout(timer);
  const items = load();
  if (!items.length) return;
  void Promise.all(items.map(async (item) => ({ item, outcome: await send(base, item) }))).then(
    (results) => {
      const left = load().flatMap((p) => {
        const r = results.find((x) => x.item.key === p.key);
        if (!r) return [p];
        return r.outcome.ok || !r.outcome.retry ? [] : [{ ...p, attempts: p.attempts + 1 }];
      });
      save(left);
      onChange();
      if (left.length)
        timer = setTimeout(
          () => flush(base, onChange),
          Math.min(2000 * 2 ** Math.min(left[0]!.attempts, 8), 300_000),
        );
    },
  );
}
