// Keeps a page current without reloading: subscribes (tRPC over SSE) to the changes the page shows, and
// when one arrives fetches the page again and swaps in its regions marked data-live-region. Forms being
// typed into live outside those regions, or in a region the person has typed in, which is then kept, so
// nothing the person wrote is lost.
import { createTRPCClient, httpLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../server/root";

const source = document.querySelector<HTMLElement>("[data-live-source]");
if (source) {
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url: "/api/trpc", transformer: superjson }),
        false: httpLink({ url: "/api/trpc", transformer: superjson }),
      }),
    ],
  });
  const id = source.dataset.requestId;
  // The browser reconnects a dropped stream by itself, but gives up when the server cannot be reached at
  // that moment (a restart): then subscribe again, with growing waits, and fetch what was missed.
  let wait = 1_000;
  const again = () => {
    window.setTimeout(subscribe, wait);
    wait = Math.min(wait * 2, 30_000);
  };
  // A stream that reconnects without having seen an event cannot name one to resume from, so every
  // connection after the first fetches the page once, which shows whatever happened in between.
  let connections = 0;
  const handlers = {
    onStarted: () => {
      wait = 1_000;
      if (connections++ > 0) scheduleRefresh();
    },
    onData: () => scheduleRefresh(),
    onError: again,
    onComplete: again,
  };
  const subscribe = () => {
    if (source.dataset.liveSource === "customer" && id)
      client.portal.requests.live.subscribe({ id }, handlers);
    else if (source.dataset.liveSource === "staff")
      client.staff.requests.live.subscribe(id ? { id } : {}, handlers);
  };
  subscribe();
}

// Regions the person has typed or chosen in since the page loaded (by name). A refresh leaves them as
// they are: swapping in a fresh copy would throw away a half-written rating or reply. Sending the form
// loads the page anew, which shows the change.
const edited = new Set<string>();
const noteEdit = (event: Event) => {
  const region = (event.target as Element | null)?.closest?.<HTMLElement>("[data-live-region]");
  if (region?.dataset.liveRegion) edited.add(region.dataset.liveRegion);
};
document.addEventListener("input", noteEdit, true);
document.addEventListener("change", noteEdit, true);

let timer: number | undefined;
function scheduleRefresh() {
  clearTimeout(timer);
  timer = window.setTimeout(() => void refresh(), 150);
}

async function refresh() {
  const response = await fetch(location.href, {
    headers: { accept: "text/html" },
    credentials: "same-origin",
  });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const region of document.querySelectorAll<HTMLElement>("[data-live-region]")) {
    if (edited.has(region.dataset.liveRegion ?? "")) continue;
    const replacement = fresh.querySelector(`[data-live-region="${region.dataset.liveRegion}"]`);
    if (replacement) region.replaceWith(document.importNode(replacement, true));
  }
  const status = document.querySelector<HTMLElement>("[data-live-status]");
  if (status) status.textContent = status.dataset.liveMessage ?? "";
}
