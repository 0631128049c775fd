import { describe, expect, it } from "vitest";
import { en } from "../../site/i18n/en";
import { is } from "../../site/i18n/is";
import { mailKinds, renderMail } from "./templates";

describe("mail templates", () => {
  it("have subject, body and action in both languages for every kind", () => {
    for (const kind of mailKinds) {
      for (const part of ["subject", "body", "action"]) {
        const key = `mail.${kind}.${part}`;
        expect(en, key).toHaveProperty([key]);
        expect(is, key).toHaveProperty([key]);
      }
    }
  });

  it("escape everything in the HTML part and quote replies as plain text", () => {
    const mail = renderMail("staffReply", "is", "a@example.com", {
      name: "<b>Anna</b>",
      url: "https://portal.example.com/requests/x?a=1&b=2",
      number: "1042",
      subject: "<script>alert(1)</script>",
      quote: "Line one\n<img src=x onerror=alert(1)>",
    });
    expect(mail.subject).toBe("Nýtt svar við erindi #1042: <script>alert(1)</script>");
    expect(mail.html).not.toMatch(/<script|<img|<b>/);
    expect(mail.html).toContain("&#60;img src=x onerror=alert(1)&#62;");
    expect(mail.text).toContain("> Line one\n> <img src=x onerror=alert(1)>");
    expect(mail.text).toContain("https://portal.example.com/requests/x?a=1&b=2");
  });
});
