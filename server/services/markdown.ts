// Message bodies: a small Markdown subset (paragraphs, line breaks, emphasis, links, lists, code), rendered with
// markdown-it with raw HTML off, so nothing the author typed reaches a page unescaped (decision 010).
import MarkdownIt from "markdown-it";

const md = new MarkdownIt("zero", { html: false, linkify: true, breaks: true }).enable([
  "paragraph",
  "newline",
  "list",
  "code",
  "fence",
  "backticks",
  "emphasis",
  "link",
  "linkify",
  "escape",
  "text_join",
]);

// Only web and mail links; javascript:, data: and the rest stay text.
md.validateLink = (url) => /^(https?:|mailto:)/i.test(url.trim());

const renderLinkOpen =
  md.renderer.rules.link_open ??
  ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet("rel", "nofollow noopener noreferrer");
  tokens[idx]!.attrSet("target", "_blank");
  return renderLinkOpen(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}
