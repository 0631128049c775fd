// A real SMTP server on a free port that keeps what it receives, and can refuse the next messages with a
// temporary failure, for tests of delivery and retries.
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  to: string[];
  raw: string;
}

export async function startSmtpSink() {
  const received: ReceivedMail[] = [];
  let refuse = 0;
  let hold: { arrived: () => void; released: Promise<void> } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      const answer = () => {
        if (refuse > 0) {
          refuse--;
          const error = Object.assign(new Error("Mailbox busy, try later"), { responseCode: 451 });
          return callback(error);
        }
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      };
      stream.on("end", () => {
        if (!hold) return answer();
        const { arrived, released } = hold;
        hold = null;
        arrived();
        void released.then(answer);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** Answer the next `n` messages with 451 (try again later). */
    refuseNext(n: number) {
      refuse = n;
    },
    /** Keeps the next message's answer back until `release()`: a send in progress for as long as needed. */
    holdNext() {
      let arrived!: () => void;
      let release!: () => void;
      const came = new Promise<void>((resolve) => (arrived = resolve));
      hold = { arrived, released: new Promise<void>((resolve) => (release = resolve)) };
      return { arrived: came, release };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The link in a mail's plain-text part that starts with `prefix`. */
export function linkIn(raw: string, prefix: string): string | null {
  const unfolded = raw.replace(/=\r?\n/g, "").replace(/=3D/g, "=");
  const match = new RegExp(`${prefix.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}[^\\s"<>]+`).exec(
    unfolded,
  );
  return match ? match[0] : null;
}
