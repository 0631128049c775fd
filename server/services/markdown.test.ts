import { describe, expect, it } from "vitest";
import { renderMarkdown } from "./markdown";

describe("renderMarkdown", () => {
  it("renders the subset: paragraphs, line breaks, links, lists and code", () => {
    const html = renderMarkdown(
      "Hi there\nsecond line\n\n- one\n- two\n\n1. first\n\nSee [the docs](https://example.com/a?b=1) or https://example.is\n\n`x = 1`\n\n```\ncode block\n```",
    );
    expect(html).toContain("<p>Hi there<br>\nsecond line</p>");
    expect(html).toContain("<ul>\n<li>one</li>\n<li>two</li>\n</ul>");
    expect(html).toContain("<ol>");
    expect(html).toContain(
      '<a href="https://example.com/a?b=1" rel="nofollow noopener noreferrer" target="_blank">the docs</a>',
    );
    expect(html).toContain(
      '<a href="https://example.is" rel="nofollow noopener noreferrer" target="_blank">https://example.is</a>',
    );
    expect(html).toContain("<code>x = 1</code>");
    expect(renderMarkdown("**bold** and *soft*")).toBe(
      "<p><strong>bold</strong> and <em>soft</em></p>\n",
    );
    expect(html).toContain("<pre><code>code block\n</code></pre>");
  });

  it("lets no HTML or script through", () => {
    const html = renderMarkdown(
      '<img src=x onerror="alert(1)"> <script>alert(2)</script>\n[click](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) ![i](https://x/y.png)\n\n# heading',
    );
    expect(html).not.toMatch(/<img|<script|href="javascript|href="data|<h1/i);
    expect(html).toContain("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;");
  });
});
