// The snippet's script (at most 1 KB gzipped): a launcher button in a Shadow DOM and a `Tengsl(...)`
// queue, drawn once the door says the site is on. The panel loads only when the visitor reaches for the
// launcher, or when a submission from an earlier page view still waits to be sent.
type Call = unknown[];
interface TengslGlobal {
  (...args: Call): void;
  q?: Call[];
}

(() => {
  const w = window as unknown as { Tengsl?: TengslGlobal };
  const script = document.currentScript as HTMLScriptElement | null;
  if (!script || document.getElementById("tengsl-widget")) return;
  const queue: Call[] = w.Tengsl?.q ?? [];
  const data = script.dataset;
  const base = new URL(script.src).origin;
  const locale = (data.locale ?? document.documentElement.lang).slice(0, 2) === "is" ? "is" : "en";
  const label = locale === "is" ? "Endurgjöf" : "Feedback";

  const host = document.createElement("div");
  host.id = "tengsl-widget";
  const root = host.attachShadow({ mode: "open" });
  const side = data.position === "left" ? "left" : "right";
  root.innerHTML = `<style>:host{all:initial}.launcher{all:initial;position:fixed;bottom:20px;${side}:20px;z-index:2147483000;background:${/^#[\da-f]{6}$/i.test(data.color ?? "") ? data.color : "#0f5b66"};color:#fff;font:600 15px/1 system-ui,sans-serif;padding:12px 18px;border-radius:999px;cursor:pointer;box-shadow:0 2px 10px #0004}.launcher:focus-visible{outline:3px solid #f2a900;outline-offset:2px}</style><button class="launcher" type="button" aria-haspopup="dialog">${label}</button>`;
  const launcher = root.querySelector("button")!;

  let panel: Promise<{ start: (o: object) => TengslGlobal }> | undefined;
  let api: TengslGlobal | undefined;
  const load = () =>
    (panel ??= import(`${base}/widget/v1/${__PANEL_FILE__}`).then(
      (m: { start: (o: object) => TengslGlobal }) => {
        api = m.start({
          root,
          launcher,
          base,
          site: data.site,
          product: data.product,
          locale,
          side,
        });
        for (const call of queue.splice(0)) api(...call);
        return m;
      },
    ));

  // Until the door has said the site is on, calls wait; a switched-off site ignores them all.
  let on = false;
  w.Tengsl = (...args: Call) => {
    if (api) api(...args);
    else {
      queue.push(args);
      if (on && args[0] === "open") void load();
    }
  };
  launcher.addEventListener("pointerenter", () => void load(), { once: true });
  launcher.addEventListener("focus", () => void load(), { once: true });
  launcher.addEventListener("click", () => w.Tengsl!("open"));
  // One small question per page view: is the site on? An admin's switch-off answers 200 {on:false} (no
  // failed request in the host's console) and nothing is drawn; if the door cannot be reached, the
  // launcher shows anyway so the visitor's submissions can wait offline.
  const mount = () =>
    fetch(
      `${base}/api/widget/status?input=${encodeURIComponent(JSON.stringify({ site: data.site }))}`,
    )
      .then((r) => r.json() as Promise<{ result?: { data?: { on?: boolean } } }>)
      .then((j) => j.result?.data?.on !== false)
      .catch(() => true)
      .then((yes) => {
        if (!(on = yes)) return;
        document.body.append(host);
        if (localStorage.getItem("tengsl:pending") || queue.some((c) => c[0] === "open"))
          void load();
      });
  if (document.body) void mount();
  else addEventListener("DOMContentLoaded", () => void mount());
})();
