// The widget's panel: rate, NPS or ask for help, in a dialog inside the loader's Shadow DOM. Loaded on
// first interaction; it never throws into the host page and keeps every submission until acknowledged.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { flush, later, load, newKey, submit, type Pending } from "./queue";
import { strings, type Strings } from "./strings";
import css from "./styles.css";

type Mode = "feedback" | "nps" | "request";
interface Identity {
  userId: string;
  email?: string;
  name?: string;
  userHash: string;
}
interface Options {
  root: ShadowRoot;
  launcher: HTMLButtonElement;
  base: string;
  site: string;
  product?: string;
  locale: "en" | "is";
  side: "left" | "right";
}

export function start(o: Options) {
  const t = strings[o.locale];
  const state = {
    open: false,
    mode: "feedback" as Mode,
    identity: undefined as Identity | undefined,
    product: o.product,
    allowAnonymous: true,
  };
  const style = document.createElement("style");
  style.textContent = css;
  const mountPoint = document.createElement("div");
  o.root.append(style, mountPoint);
  const rerender = () => render(<Panel o={o} t={t} state={state} close={close} />, mountPoint);
  const close = () => {
    state.open = false;
    rerender();
    o.launcher.focus();
  };
  flush(o.base, rerender);
  // The site's settings (colour, side, anonymous feedback) arrive with the panel, not before interaction.
  void fetch(
    `${o.base}/api/widget/config?input=${encodeURIComponent(JSON.stringify({ site: o.site }))}`,
  )
    .then(
      (r) =>
        r.json() as Promise<{
          result?: {
            data: { color: string; position: "left" | "right"; allowAnonymous: boolean };
          };
          error?: { message?: string };
        }>,
    )
    .then((json) => {
      // Switched off since this page was opened: the widget leaves the page.
      if (json.error?.message === "widget.siteDisabled") return o.root.host.remove();
      const config = json.result?.data;
      if (!config) return;
      (o.root.host as HTMLElement).style.setProperty("--tengsl-color", config.color);
      o.launcher.style.background = config.color;
      o.launcher.style.left = config.position === "left" ? "20px" : "auto";
      o.launcher.style.right = config.position === "left" ? "auto" : "20px";
      o.side = config.position;
      state.allowAnonymous = config.allowAnonymous;
      rerender();
    })
    .catch(() => undefined);
  addEventListener("online", () => flush(o.base, rerender));
  // Esc closes from anywhere in the dialog, also after the form was replaced by its result.
  addEventListener("keydown", (e) => {
    if (state.open && e.key === "Escape") close();
  });

  return (command?: unknown, arg?: unknown) => {
    try {
      if (command === "open") {
        state.open = true;
        if (arg === "feedback" || arg === "nps" || arg === "request") state.mode = arg;
      } else if (command === "identify" && arg && typeof arg === "object")
        state.identity = arg as Identity;
      else if (command === "context" && arg && typeof arg === "object")
        state.product = productOf(arg);
      rerender();
    } catch {
      // a bad call from the host page must never break it
    }
  };
}

function productOf(arg: object): string | undefined {
  const product = (arg as { product?: unknown }).product;
  return typeof product === "string" && product ? product.slice(0, 100) : undefined;
}

function Panel({
  o,
  t,
  state,
  close,
}: {
  o: Options;
  t: Strings;
  state: {
    open: boolean;
    mode: Mode;
    identity?: Identity;
    product?: string;
    allowAnonymous: boolean;
  };
  close: () => void;
}) {
  const [mode, setMode] = useState<Mode>(state.mode);
  const [result, setResult] = useState<{ kind: "thanks" | "queued"; text: string } | null>(null);
  /** A refused submission: said in the form, which keeps what the visitor typed. */
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => setMode(state.mode), [state.mode, state.open]);
  useEffect(() => {
    if (state.open) dialog.current?.querySelector<HTMLElement>("button, input, textarea")?.focus();
  }, [state.open]);
  if (!state.open) return null;

  const send = async (path: Pending["path"], body: Record<string, unknown>) => {
    setBusy(true);
    setFailure(null);
    const outcome = await submit(o.base, {
      key: newKey(),
      path,
      attempts: 0,
      body: {
        ...body,
        site: o.site,
        locale: o.locale,
        pageUrl: location.href.slice(0, 2000),
        pageTitle: document.title.slice(0, 300),
        product: state.product,
        userAgent: navigator.userAgent.slice(0, 200),
        identity: state.identity,
      },
    });
    setBusy(false);
    // Offline, a 5xx or a lost answer: it waits in the queue and is tried again shortly.
    if (!outcome.ok && outcome.retry) later(o.base, () => undefined, 0);
    if (outcome.ok)
      setResult({
        kind: "thanks",
        text:
          path === "request"
            ? t.requestThanks.replace("{n}", String(outcome.data.number ?? ""))
            : t.thanks,
      });
    else if (outcome.retry && outcome.messageKey !== "widget.tooMany")
      setResult({ kind: "queued", text: t.queued });
    else
      setFailure({
        text: (t as Record<string, string>)[outcome.messageKey] ?? t.error,
        field: outcome.field,
      });
  };

  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Tab") return;
    const focusable = [
      ...(dialog.current?.querySelectorAll<HTMLElement>(
        "button, input, textarea, [tabindex='0']",
      ) ?? []),
    ];
    const first = focusable[0];
    const last = focusable.at(-1);
    const active = o.root.activeElement;
    if (e.shiftKey && active === first) {
      e.preventDefault();
      last?.focus();
    } else if (!e.shiftKey && active === last) {
      e.preventDefault();
      first?.focus();
    }
  };
  const pending = load().length;

  return (
    <div
      class={`panel ${o.side}`}
      role="dialog"
      aria-modal="true"
      aria-labelledby="tengsl-title"
      ref={dialog}
      onKeyDown={onKey}
    >
      <div class="head">
        <h2 id="tengsl-title">{t.title}</h2>
        <button type="button" class="x" aria-label={t.close} onClick={close}>
          ×
        </button>
      </div>
      <div class="tabs" role="tablist">
        {(["feedback", "nps", "request"] as const).map((m) => (
          <button
            type="button"
            role="tab"
            aria-selected={mode === m}
            onClick={() => {
              setMode(m);
              setResult(null);
              setFailure(null);
            }}
          >
            {m === "feedback" ? t.tabRating : m === "nps" ? t.tabNps : t.tabRequest}
          </button>
        ))}
      </div>
      {!state.allowAnonymous && !state.identity ? (
        <p class="note" role="status">
          {t["widget.signInRequired"]}
        </p>
      ) : result ? (
        <div class={`result ${result.kind}`} role="status">
          <p>{result.text}</p>
          <button type="button" class="primary" onClick={() => setResult(null)}>
            {t.another}
          </button>
        </div>
      ) : mode === "request" ? (
        <RequestForm
          t={t}
          busy={busy}
          failure={failure}
          identified={!!state.identity}
          send={(b) => void send("request", b)}
        />
      ) : (
        <ScoreForm
          t={t}
          busy={busy}
          failure={failure}
          nps={mode === "nps"}
          send={(b) => void send("feedback", b)}
        />
      )}
      {pending > 0 && <p class="note">{t.pendingNote.replace("{n}", String(pending))}</p>}
    </div>
  );
}

/** Why the server refused a submission, and the field it named, if any. */
interface Failure {
  text: string;
  field?: string | undefined;
}

const FAILURE_ID = "tengsl-failure";

/**
 * After a refusal the field the server refused takes the focus, so the visitor can mend it at once;
 * without one, the button (disabled while sending, it had lost the focus). Returns the form's ref.
 */
function useFocusOnFailure(failure: Failure | null) {
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!failure) return;
    const invalid = form.current?.querySelector<HTMLElement>("[aria-invalid='true']");
    (invalid ?? form.current?.querySelector<HTMLElement>("button[type=submit]"))?.focus();
  }, [failure]);
  return form;
}

/** The refusal, announced, above the form's button. */
const FailureNote = ({ failure }: { failure: Failure | null }) =>
  failure && (
    <p class="error" role="alert" id={FAILURE_ID}>
      {failure.text}
    </p>
  );

function ScoreForm({
  t,
  busy,
  failure,
  nps,
  send,
}: {
  t: Strings;
  busy: boolean;
  failure: Failure | null;
  nps: boolean;
  send: (b: Record<string, unknown>) => void;
}) {
  const form = useFocusOnFailure(failure);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState("");
  const scale = nps ? [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10] : [1, 2, 3, 4, 5];
  return (
    <form
      ref={form}
      onSubmit={(e) => {
        e.preventDefault();
        if (score === null) return setError(t["widget.scoreRequired"]);
        send({ kind: nps ? "nps" : "rating", score, comment: comment.trim() || undefined });
      }}
    >
      <fieldset>
        <legend>{nps ? t.npsQuestion : t.ratingQuestion}</legend>
        <div class={nps ? "scale nps" : "scale"}>
          {scale.map((n) => (
            <label>
              <input
                type="radio"
                name="score"
                value={n}
                checked={score === n}
                onChange={() => {
                  setScore(n);
                  setError("");
                }}
              />
              <span aria-hidden="true">{nps ? n : "★"}</span>
              <span class="sr">{nps ? String(n) : t.stars.replace("{n}", String(n))}</span>
            </label>
          ))}
        </div>
        {nps && (
          <p class="ends" aria-hidden="true">
            <span>{t.npsLow}</span>
            <span>{t.npsHigh}</span>
          </p>
        )}
      </fieldset>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <label class="field">
        {nps ? t.why : t.comment}
        <textarea
          rows={3}
          maxLength={2000}
          value={comment}
          onInput={(e) => setComment(e.currentTarget.value)}
          {...invalidIf(failure?.field === "comment")}
        />
      </label>
      <FailureNote failure={failure} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.sending : t.send}
      </button>
    </form>
  );
}

function RequestForm({
  t,
  busy,
  failure,
  identified,
  send,
}: {
  t: Strings;
  busy: boolean;
  failure: Failure | null;
  identified: boolean;
  send: (b: Record<string, unknown>) => void;
}) {
  const [v, setV] = useState({ name: "", email: "", subject: "", message: "" });
  const form = useFocusOnFailure(failure);
  const field = (key: keyof typeof v, label: string, type = "text") => (
    <label class="field">
      {label}
      {key === "message" ? (
        <textarea
          rows={4}
          required
          maxLength={5000}
          value={v[key]}
          onInput={(e) => setV({ ...v, [key]: e.currentTarget.value })}
          {...invalidIf(failure?.field === key)}
        />
      ) : (
        <input
          type={type}
          required
          maxLength={key === "subject" ? 200 : 254}
          value={v[key]}
          onInput={(e) => setV({ ...v, [key]: e.currentTarget.value })}
          {...invalidIf(failure?.field === key)}
        />
      )}
    </label>
  );
  return (
    <form
      ref={form}
      onSubmit={(e) => {
        e.preventDefault();
        send({ ...v, name: v.name || undefined, email: v.email || undefined });
      }}
    >
      {!identified && field("name", t.name)}
      {!identified && field("email", t.email, "email")}
      {field("subject", t.subject)}
      {field("message", t.message)}
      {/* Honeypot: invisible to people, tempting to bots. */}
      <input class="hp" name="website" tabIndex={-1} autoComplete="off" aria-hidden="true" />
      <FailureNote failure={failure} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? t.sending : t.send}
      </button>
    </form>
  );
}

/** Marks the field the server refused, described by the refusal's note. */
const invalidIf = (invalid: boolean) =>
  invalid ? { "aria-invalid": true, "aria-describedby": FAILURE_ID } : {};
