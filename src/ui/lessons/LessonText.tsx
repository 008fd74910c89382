/**
 * A lesson's text as React nodes: paragraphs (blank lines), `$$...$$` display math and `$...$` inline
 * math set by KaTeX (bundled; nothing is fetched), `**bold**`, `[words](tab:<lab>)` (switches the lab
 * tab) and `[words](https://...)` (opens in a new tab). Only KaTeX's own output is inserted as HTML;
 * every other character is text, so a lesson cannot inject markup.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import { Fragment, type ReactNode } from 'react';

/** KaTeX's HTML (and MathML for screen readers) for one formula; a TeX error shows the source, marked. */
export function TeX({ tex, display = false }: { tex: string; display?: boolean }) {
  const html = katex.renderToString(tex, { displayMode: display, throwOnError: false, output: 'htmlAndMathml', strict: 'ignore' });
  return display ? (
    <div className="math-display" dangerouslySetInnerHTML={{ __html: html }} />
  ) : (
    <span className="math-inline" dangerouslySetInnerHTML={{ __html: html }} />
  );
}

/** Inline markup of one paragraph: math, bold, links. */
function inline(text: string, onTab: (lab: string) => void, key: string): ReactNode[] {
  const out: ReactNode[] = [];
  const re = /\$([^$]+)\$|\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
  let last = 0;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text)) !== null) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const k = `${key}-${n++}`;
    if (m[1] !== undefined) out.push(<TeX key={k} tex={m[1]} />);
    else if (m[2] !== undefined) out.push(<strong key={k}>{m[2]}</strong>);
    else {
      const [words, href] = [m[3], m[4]];
      if (href.startsWith('tab:')) {
        const lab = href.slice(4);
        out.push(
          <button key={k} type="button" className="link-button" onClick={() => onTab(lab)} data-testid={`lesson-tab-link-${lab}`}>
            {words}
          </button>,
        );
      } else if (/^https:\/\//.test(href)) {
        out.push(
          <a key={k} href={href} target="_blank" rel="noreferrer noopener">
            {words}
          </a>,
        );
      } else out.push(words);
    }
    last = re.lastIndex;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

export function LessonText({ text, onTab }: { text: string; onTab: (lab: string) => void }) {
  // display math first (it may span lines), then paragraphs of what lies between
  const parts = text.split(/\$\$([\s\S]+?)\$\$/);
  const nodes: ReactNode[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      nodes.push(<TeX key={`d${i}`} tex={part.trim()} display />);
      return;
    }
    part
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
      .filter(Boolean)
      .forEach((p, j) => nodes.push(<p key={`p${i}-${j}`}>{inline(p, onTab, `p${i}-${j}`)}</p>));
  });
  return <Fragment>{nodes}</Fragment>;
}
