"""The human-readable report: what was removed, why, and what was repaired.

Layout (always the same, whatever the corpus size, so links never change shape)::

    OUT/report.html                     summary + first page of the documents table
    OUT/report/table-0002.html ...      further pages of the table, ROWS_PER_PAGE rows each
    OUT/report/docs/000001.html ...     the documents in input order, up to DOCS_PER_PAGE a
                                        page, each a section `id=<name>` (a unique
                                        write.safe_filename(id)); links are page.html#<name>
    OUT/report/clusters-0001.html ...   duplicate clusters, CLUSTERS_PER_PAGE per page
    OUT/report/data/rows-0001.js ...    the table rows as JSON, one chunk per table page,
                                        loaded only when the reader sorts or filters
    OUT/report/stories-0001.html ...    the stories index, STORIES_PER_PAGE per page (when the
                                        stories stage ran)
    OUT/report/stories/<name>.html      one page per story (`story_page_name`): its members,
                                        the evidence that joined them, its aligned passages

Every page is self-contained (inline CSS and JS, no network) and small, so a 100,000
document run opens as fast as a 5 document one.  The writer streams: call
`ReportWriter.add_document(doc)` per document (its section waits only until its page is
full, and only a small row is kept for the index), then `finish(summary, clusters, inputs)`.

Each document section embeds its paragraphs as JSON (`<script type="application/json"
id="cleaner-doc/<name>">`); `cleaner.views` finds it through the table data and reads it
back for `clean diff`.

Scraped text is untrusted: every string from the data goes through `e` (`html.escape`), JSON in
a <script> goes through `script_json`, and the table script builds rows with textContent.
"""
from __future__ import annotations

import json
import os
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import quote

from .models import Document, InputFile, Paragraph, Verdict
from .write import json_object, json_texts, json_value, safe_filename

ROWS_PER_PAGE = 500
CLUSTERS_PER_PAGE = 200
STORIES_PER_PAGE = 200
DOCS_PER_PAGE = 64
PAGE_BYTES = 2 << 20
"""A report/docs/ page takes up to DOCS_PER_PAGE documents and closes early once its
documents' sizes reach PAGE_BYTES (the run measures a document by its spooled pickle; its
page section is ~2.5 times that, so a page stays near 5 MB unless one document is larger,
and an enormous document gets a page of its own).  A page
a document made as many files as the corpus has documents (10M for 10M), and creating
them cost the 10k-document run about a second on this project's benchmark machine."""
MAX_TITLE = 160
MAX_LISTED_PROBLEMS = 500
DOC_JSON_ID = "cleaner-doc"

_CSS = """body{font:15px/1.5 system-ui,sans-serif;max-width:1100px;margin:1.5em auto;padding:0 1em;color:#222}
a{color:#0645ad}nav{margin-bottom:1em;font-size:14px}nav a{margin-right:1em}
del{color:#777;text-decoration:line-through}
.badge{font-size:12px;background:#fde2e2;color:#900;border-radius:3px;padding:0 5px;margin:0 3px;
text-decoration:none;display:inline-block;white-space:nowrap}
.tag{font-size:12px;background:#e2ecfd;color:#124;border-radius:3px;padding:0 5px;margin-right:4px;display:inline-block}
.dup{background:#fff3cd;color:#664d03}
table{border-collapse:collapse}#documents-table,.cluster table{width:100%}td,th{border-bottom:1px solid #ddd;padding:2px 6px;text-align:left;
vertical-align:top}th[data-key]{cursor:pointer;user-select:none}th[data-key]:hover{background:#f3f3f3}
td.n,th.n{text-align:right}.num{font-variant-numeric:tabular-nums}
ol.paras{padding-left:3em}ol.paras li{margin:.5em 0}ol.paras li.page{list-style:none;margin:.2em 0}li.title{font-weight:bold}
.repair{font-size:13px;background:#f4f8f4;padding:2px 6px;margin-top:2px}.before,.after{white-space:pre-wrap;outline:1px dotted #ccc}.before{color:#900}.after{color:#060}
.passage{font-size:13px;color:#664d03}.meta th{width:10em}
body.cleanonly li.drop,body.cleanonly .repair,body.cleanonly .passage,body.cleanonly .tag{display:none}
.filters{margin:.5em 0;display:flex;gap:1em;flex-wrap:wrap;align-items:center}.pager{margin:.5em 0}
.pager a,.pager span{margin-right:.4em}#status{color:#555;font-size:13px}
.cluster{border-top:1px solid #ccc;padding:.3em 0}.cluster td.text{font-size:13px}
#documents-table td.title{min-width:16em}#documents-table td.id{min-width:11em;max-width:16em;overflow-wrap:anywhere}
#documents-table td.source{min-width:10em;max-width:16em;overflow-wrap:anywhere;font-size:13px;color:#555}
#documents-table td.reasons{min-width:11em}#documents-table th.n{font-size:13px}
#documents-table td.dupof{max-width:12em;overflow-wrap:anywhere}
.repair del.chg{background:#f8c8c8;color:#900;text-decoration:none}.repair ins.chg{background:#c8ecc8;color:#060;text-decoration:none}
.inv{font-size:10px;border:1px solid #999;border-radius:2px;padding:0 2px;margin:0 1px;color:#555;background:#fff;vertical-align:1px}
.elided{color:#999}.cluster.moot{opacity:.6}.moot-note{font-size:13px;color:#555;margin:.2em 0}
section.doc{border-top:3px solid #ccc;margin-top:1.5em}section.doc:target{border-top-color:#0645ad}
.aligned{border-top:1px solid #ccc;padding:.3em 0}.side{display:grid;gap:.8em;grid-auto-columns:minmax(0,1fr);grid-auto-flow:column}
.side .said{font-size:14px}.side .who{font-size:12px;color:#555}"""


class TextSink(Protocol):
    def write_text(self, name: str, text: str) -> None: ...


class DirectorySink:
    """Write report files straight into a folder (tests, benchmarks, notebooks)."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def write_text(self, name: str, text: str) -> None:
        target = self.root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")


def e(value) -> str:
    """Escape a value for HTML text or a quoted attribute.

    >>> e('<img src=x onerror="a()">')
    '&lt;img src=x onerror=&quot;a()&quot;&gt;'
    """
    text = value if type(value) is str else "" if value is None else str(value)
    # html.escape(text, quote=True), each replace only after an `in` test finds its character:
    # most text has none of them, and a test costs a fifth of a replace that finds nothing
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "'" in text:
        text = text.replace("'", "&#x27;")
    return text


_SCRIPT_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_SCRIPT_UNSAFE_RE = re.compile("[<>&\u2028\u2029]")


def script_safe(text: str) -> str:
    """`_SCRIPT_UNSAFE_RE.sub` by its table, as one `in` test per character (a memchr) and a
    replace only when present: 14x cheaper than the regex with a callback.  Replacing one
    character after another is the same as all at once: no escape holds an unsafe character."""
    for unsafe, escape in _SCRIPT_UNSAFE.items():
        if unsafe in text:
            text = text.replace(unsafe, escape)
    return text


def script_json(obj) -> str:
    """JSON that is safe inside an HTML <script> element and in a JavaScript file.

    >>> script_json({"t": "</script><b>&\u2028"})
    '{"t":"\\\\u003c/script\\\\u003e\\\\u003cb\\\\u003e\\\\u0026\\\\u2028"}'
    """
    return script_safe(json.dumps(obj, ensure_ascii=False, separators=(",", ":")))


def _page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width,initial-scale=1'><title>{e(title)}</title>"
            f"<style>{_CSS}</style></head><body>{body}</body></html>\n")


def _short(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def table_page_name(page: int) -> str:
    """Path of table page `page` (1-based), relative to OUT."""
    return "report.html" if page == 1 else f"report/table-{page:04d}.html"


def cluster_page_name(index: int) -> str:
    """Path, relative to OUT/report/, of the clusters page holding cluster `index` (0-based)."""
    return f"clusters-{index // CLUSTERS_PER_PAGE + 1:04d}.html"


def cluster_anchor(index: int) -> str:
    """The element id of cluster `index` (0-based, its line in duplicates.jsonl) on its page:
    clusters are shown numbered from 1, as #1, and their ids say the same."""
    return f"c{index + 1}"


def story_page_name(story_id: str) -> str:
    """Path, relative to OUT/report/, of the page of the story `story_id` (its first
    member's id; when two stories of a run share one, a link by id leads to the first)."""
    return f"stories/{safe_filename(story_id)}.html"


def story_index_page_name(page: int) -> str:
    """Path, relative to OUT/report/, of page `page` (from 1) of the stories index."""
    return f"stories-{page:04d}.html"


def plural(n: int, word: str, many: str | None = None) -> str:
    """`n word`, the word in the plural unless n is 1.

    >>> plural(1, "cluster"), plural(0, "cluster"), plural(2, "repeat", "repeats")
    ('1 cluster', '0 clusters', '2 repeats')
    """
    return f"{n} {word if n == 1 else many or word + 's'}"


# --------------------------------------------------------------------------- per document

def document_data(doc: Document) -> dict:
    """Everything a document page shows, as plain JSON (embedded in the page for `clean diff`)."""
    return {
        "id": doc.id, "source": doc.source, "format": doc.format, "title": doc.title,
        "metadata": doc.metadata.as_dict(), "encoding": doc.encoding,
        "duplicate_of": doc.duplicate_of, "duplicate_similarity": doc.duplicate_similarity,
        "paragraphs": [{"verdict": p.verdict.value, "reason": p.reason,
                        "original": p.original if p.original != p.text else None, "text": p.text, "repairs": [r.step for r in p.repairs], "heading": p.heading,
                        "restored": p.restored}
                       for p in doc.paragraphs],
        "passages": [{"paragraph": r.paragraph, "cluster": r.cluster, "first_doc": r.first_doc}
                     for r in doc.passages],
        "left_out": [{"before": b.before, "text": b.text, "reason": b.reason} for b in doc.left_out],
    }


_VERDICT_JSON = {v: f'{{"verdict":{json_value(v.value)},"reason":' for v in Verdict}


def _paragraph_json(p: Paragraph, text: str) -> str:
    """One paragraph of `document_data`, compact, `text` its escaped text; the usual values
    (no reason, no repair, not a heading) skip the encoder call."""
    reason = "null" if p.reason is None else json_value(p.reason)
    original = "null" if p.original == p.text else json_value(p.original)
    repairs = ",".join(json_value(r.step) for r in p.repairs) if p.repairs else ""
    heading = "false" if p.heading is False else json_value(p.heading)
    restored = "null" if p.restored is None else json_value(p.restored)
    return (f'{_VERDICT_JSON[p.verdict]}{reason},"original":{original},"text":"{text}",'
            f'"repairs":[{repairs}],"heading":{heading},"restored":{restored}}}')


def document_json(doc: Document, texts: list[str] | None = None) -> str:
    """`script_json(document_data(doc))` written piece by piece (every document page embeds
    it, and the encoder's string escaping was most of its cost); `texts` is
    `write.json_texts(doc)` when the caller has it."""
    texts = json_texts(doc) if texts is None else texts
    paragraphs = ",".join(map(_paragraph_json, doc.paragraphs, texts))
    passages = ",".join(f'{{"paragraph":{json_value(r.paragraph)},"cluster":{json_value(r.cluster)},'
                        f'"first_doc":{json_value(r.first_doc)}}}' for r in doc.passages)
    left_out = ",".join(f'{{"before":{b.before},"text":{json_value(b.text)},"reason":{json_value(b.reason)}}}'
                        for b in doc.left_out)
    return script_safe(
        f'{{"id":{json_value(doc.id)},"source":{json_value(doc.source)},"format":{json_value(doc.format)},'
        f'"title":{json_value(doc.title)},"metadata":{json_object(doc.metadata.as_dict().items(), ",", ":")},'
        f'"encoding":{json_value(doc.encoding)},"duplicate_of":{json_value(doc.duplicate_of)},'
        f'"duplicate_similarity":{json_value(doc.duplicate_similarity)},"paragraphs":[{paragraphs}],'
        f'"passages":[{passages}],"left_out":[{left_out}]}}')


def document_page_file(page: int) -> str:
    """The file, in report/docs/, of document page `page` (from 0)."""
    return f"{page + 1:06d}.html"


def _paragraph_items(doc: Document, doc_href, cluster_href, anchor: str = "") -> list[str]:
    """The paragraphs as list items with the ids `{anchor}/p{i}` (`p{i}` without an anchor)."""
    prefix = f"{e(anchor)}/" if anchor else ""
    passages: dict[int, list] = {}
    for ref in doc.passages:
        passages.setdefault(ref.paragraph, []).append(ref)
    items = []
    for i, p in doc.page_order():
        if i < 0:  # a block of the page the extractor left out: unnumbered, in its place
            items.append(f"<li class='drop page'><del>{e(p.text)}</del> <span class='badge' "
                         f"title='left out by the extractor: reason'>{e(p.reason)}</span></li>")
            continue
        text = e(p.text)
        if p.verdict is Verdict.TITLE:
            body = f"<span class='tag'>title</span>{text}"
            cls = "title"
        elif p.verdict is Verdict.DROP:
            body = f"<del>{text}</del> <span class='badge' title='removed: reason'>{e(p.reason)}</span>"
            cls = "drop"
        else:
            body = text
            cls = "kept"
        if p.restored:
            body += (f" <span class='tag' title='left out by the extractor, brought back by cleaner'>"
                     f"brought back: {e(p.restored)}</span>")
        if p.repairs:
            steps = ", ".join(r.step for r in p.repairs)
            body += (f"<div class='repair'><span class='tag'>repaired: {e(steps)}</span>"
                     f"<span class='before'>{e(p.original)}</span> → <span class='after'>{text}</span></div>")
        for ref in passages.get(i, ()):
            first = ("" if ref.first_doc == doc.id else
                     f" first seen in <a href='{e(doc_href(ref.first_doc))}'>{e(ref.first_doc)}</a>;")
            body += (f"<div class='passage'><span class='tag dup'>duplicate passage</span>{first} "
                     f"<a href='{e(cluster_href(ref.cluster))}'>cluster #{ref.cluster + 1}: all members</a></div>")
        items.append(f"<li id='{prefix}p{i}' class='{cls}' value='{i}'>{body}</li>")
    return items


def render_document_section(doc: Document, anchor: str, doc_href=None, texts: list[str] | None = None) -> str:
    """One document's part of a report/docs/ page, under the element id `anchor`: its
    metadata, its original and cleaned text and its data for `clean diff` (links are
    relative to report/docs/).  `texts` is `write.json_texts(doc)` when the caller has it."""
    if not isinstance(anchor, str):  # a link map passed where the name goes would become the id
        raise TypeError(f"anchor must be the section's name, not {type(anchor).__name__}")
    doc_href = doc_href or PageLinks({})
    cluster_href = lambda k: "../" + cluster_page_name(k) + f"#{cluster_anchor(k)}"  # noqa: E731
    kept, reasons, repaired = paragraph_counts(doc)
    meta = [("id", e(doc.id)), ("source", e(doc.source)), ("format", e(doc.format)),
            ("encoding", e(doc.encoding))]
    meta += [(k, e(v)) for k, v in doc.metadata.as_dict().items() if v]
    # an HTML page's count includes the blocks the extractor left out
    label, total = ("blocks", len(doc.paragraphs) + len(doc.left_out)) if doc.left_out else ("paragraphs", len(doc.paragraphs))
    titles = total - kept - len(reasons)
    meta.append((label, f"{total}: {kept} kept, {len(reasons)} removed"
                        + (f", {plural(titles, 'title')}" if titles else "") + f"; {repaired} repaired"))
    if doc.duplicate_of:
        sim = f" (similarity {doc.duplicate_similarity:.2f})" if doc.duplicate_similarity is not None else ""
        meta.append(("duplicate of", f"<a class='dupof' href='{e(doc_href(doc.duplicate_of))}'>"
                                     f"{e(doc.duplicate_of)}</a>{sim}"))
    if doc.story:
        meta.append(("story", f"<a class='story' href='../{e(story_page_name(doc.story))}'>{e(doc.story)}</a>"
                              " (other reports of the same event)"))
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in meta)
    return (f"<section class='doc' id='{e(anchor)}'><h2>{e(doc.title or doc.id)}</h2><table class='meta'>{rows}</table>"
            f"<ol class='paras' start='0'>{''.join(_paragraph_items(doc, doc_href, cluster_href, anchor))}</ol>"
            f"<script type='application/json' id='{DOC_JSON_ID}/{e(anchor)}'>{document_json(doc, texts)}</script>"
            "</section>")


def document_page(sections: Iterable[str], index_href: str = "../../report.html") -> str:
    """A report/docs/ page holding the `render_document_section`s of consecutive documents."""
    body = (f"<nav><a href='{e(index_href)}'>← report</a><a href='../clusters-0001.html'>duplicate clusters</a></nav>"
            "<p><small>Original and cleaned text: removed paragraphs are struck through with the "
            "reason (for an HTML page, unnumbered: the blocks the extractor left out, in page order); "
            "repairs show before → after, the characters they changed marked and invisible ones "
            "named.</small> <label><input type='checkbox' id='cleanonly' "
            "onchange=\"document.body.classList.toggle('cleanonly',this.checked)\"> cleaned text only</label></p>"
            + "".join(sections) + f"<script>{REPAIR_JS}</script>")
    return _page("documents — cleaner report", body)


# Marks what each repair changed, in the reader's browser: a character diff of every repaired
# paragraph costs the run milliseconds (10k synthetic documents have ~800), and only the
# pages a person opens need it.  Before and after are diffed as tokens (words, single
# spaces and marks), with long unchanged runs cut to their ends; invisible characters (no-break
# and other spaces, zero-width and format characters, controls) become named boxes.  Built
# with textContent only: the text stays text.
REPAIR_JS = r"""(function(){
var NAMES={'\u00a0':'NBSP','\u202f':'NNBSP','\u2009':'THIN SP','\u200a':'HAIR SP','\u2007':'FIG SP','\u3000':'IDEO SP',
'\u200b':'ZWSP','\u200c':'ZWNJ','\u200d':'ZWJ','\u2060':'WJ','\ufeff':'BOM','\u00ad':'SHY','\t':'TAB','\n':'LF','\r':'CR',
'\u2028':'LSEP','\u2029':'PSEP','\u200e':'LRM','\u200f':'RLM'};
var INV=/[\u0000-\u001f\u007f-\u00a0\u00ad\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u3000\ufeff]/;
var TOK=/\s|[\p{L}\p{N}\p{M}_]+|[^\s\p{L}\p{N}\p{M}_]/gu,CONTEXT=40,MAX=2500000;
function code(c){return 'U+'+('000'+c.charCodeAt(0).toString(16).toUpperCase()).slice(-4);}
function diff(a,b){var n=a.length,m=b.length,i,j;if(n*m>MAX)return [[0,a.join(''),b.join('')]];
 var w=m+1,L=new Uint32Array((n+1)*w);
 for(i=n-1;i>=0;i--)for(j=m-1;j>=0;j--)L[i*w+j]=a[i]===b[j]?L[(i+1)*w+j+1]+1:Math.max(L[(i+1)*w+j],L[i*w+j+1]);
 var out=[],da='',db='',eq='';i=0;j=0;
 function flush(){if(da||db){out.push([0,da,db]);da='';db='';}}
 while(i<n||j<m){if(i<n&&j<m&&a[i]===b[j]){flush();eq+=a[i];i++;j++;continue;}
  if(eq){out.push([1,eq,eq]);eq='';}
  if(j<m&&(i>=n||L[i*w+j+1]>=L[(i+1)*w+j]))db+=b[j++];else da+=a[i++];}
 flush();if(eq)out.push([1,eq,eq]);return out;}
function put(el,text,tag){var box=el;if(tag){box=document.createElement(tag);box.className='chg';el.appendChild(box);}
 var run='';for(var k=0;k<text.length;k++){var c=text[k];if(!INV.test(c)){run+=c;continue;}
  if(run){box.appendChild(document.createTextNode(run));run='';}
  var s=document.createElement('span');s.className='inv';s.title=code(c);s.textContent=NAMES[c]||code(c);box.appendChild(s);}
 if(run)box.appendChild(document.createTextNode(run));}
function cut(el,text,first,last){if(text.length<=2*CONTEXT+10||(first&&last)){put(el,text);return;}
 var gap=document.createElement('span');gap.className='elided';gap.textContent='…';
 var head=text.slice(0,CONTEXT),tail=text.slice(-CONTEXT),h=head.lastIndexOf(' '),t=tail.indexOf(' ');
 if(h>CONTEXT-15)head=head.slice(0,h+1);if(t>=0&&t<15)tail=tail.slice(t);
 if(!first)put(el,head);el.appendChild(gap);if(!last)put(el,tail);}
document.querySelectorAll('.repair').forEach(function(r){var bo=r.querySelector('.before'),af=r.querySelector('.after');
 if(!bo||!af||bo.getAttribute('data-marked'))return;
 var ops=diff(bo.textContent.match(TOK)||[],af.textContent.match(TOK)||[]);
 bo.textContent='';af.textContent='';ops.forEach(function(op,k){var first=k===0,last=k===ops.length-1;
  if(op[0]===1){cut(bo,op[1],first,last);cut(af,op[2],first,last);}
  else{if(op[1])put(bo,op[1],'del');if(op[2])put(af,op[2],'ins');}});
 bo.setAttribute('data-marked','1');af.setAttribute('data-marked','1');});
})();"""


def render_document_page(doc: Document, doc_href=None, index_href: str = "../../report.html",
                         texts: list[str] | None = None) -> str:
    """A page holding only `doc` (tests, notebooks); a run groups documents (DOCS_PER_PAGE)."""
    return document_page([render_document_section(doc, safe_filename(doc.id), doc_href, texts)], index_href)


# --------------------------------------------------------------------------- index rows

# One row of the documents table; kept in memory for every document, so it stays small.
ROW_FIELDS = ("n", "id", "href", "title", "source", "paragraphs", "kept", "removed", "repaired",
              "reasons", "duplicate_of", "duplicate_href", "passages")


def paragraph_counts(doc: Document) -> tuple[int, list[str], int]:
    """Kept paragraphs, the reason of each removed one ("" for none) and repaired paragraphs,
    in one loop over the paragraphs (the page, the table row and the run tally each call it)."""
    kept, reasons, repaired = 0, [], 0
    for p in doc.paragraphs:
        if p.verdict is Verdict.KEEP:
            kept += 1
        elif p.verdict is Verdict.DROP:
            reasons.append(p.reason or "")
        if p.repairs:
            repaired += 1
    reasons.extend(b.reason for b in doc.left_out)
    return kept, reasons, repaired


def row_fields(doc: Document) -> tuple:
    """A document's table row less its position and links (added when the row is placed)."""
    kept, reasons, repaired = paragraph_counts(doc)
    return (doc.id, _short(doc.title, MAX_TITLE), _short(doc.source, MAX_TITLE), len(doc.paragraphs) + len(doc.left_out),
            kept, len(reasons), repaired, sorted(set(reasons)), doc.duplicate_of, len(doc.passages))


def table_row(n: int, page: str, name: str, fields: tuple, href: Callable[[str], str]) -> tuple:
    """The documents-table row of the n-th document (from 1), whose section is `name` on
    report/docs/`page`, from its `row_fields`; `href` links to other documents' sections."""
    dup = fields[8]
    return _row(n, f"docs/{page}#{name}", "docs/" + href(dup) if dup else None, fields)


def _row(n: int, href: str, dup_href: str | None, fields: tuple) -> tuple:
    doc_id, title, source, paras, kept, removed, repaired, reasons, dup, passages = fields
    return (n, doc_id, href, title, source, paras, kept, removed, repaired, reasons, dup, dup_href, passages)


_TABLE_HEAD = ("<thead><tr><th data-key='0' class='n'>#</th><th data-key='1'>id</th><th data-key='3'>title</th>"
               "<th data-key='4'>source</th><th data-key='5' class='n'>paras</th><th data-key='6' class='n'>kept</th>"
               "<th data-key='7' class='n'>removed</th><th data-key='9'>reasons</th>"
               "<th data-key='8' class='n'>repaired</th><th data-key='10'>duplicate of</th>"
               "<th data-key='12' class='n'>dup passages</th></tr></thead>")


def _row_html(row: tuple, base: str) -> str:
    n, doc_id, href, title, source, paras, kept, removed, repaired, reasons, dup, dup_href, passages = row
    badges = "".join(f"<span class='badge'>{e(r)}</span>" for r in reasons)
    dup_cell = f"<a href='{e(base + dup_href)}'>{e(dup)}</a>" if dup else ""
    return (f"<tr><td class='n'>{n}</td><td class='id'><a class='doc' href='{e(base + href)}'>{e(doc_id)}</a></td>"
            f"<td class='title'>{e(title)}</td><td class='source'>{e(source)}</td><td class='n'>{paras}</td>"
            f"<td class='n'>{kept}</td><td class='n'>{removed}</td><td class='reasons'>{badges}</td>"
            f"<td class='n'>{repaired}</td><td class='dupof'>{dup_cell}</td><td class='n'>{passages or ''}</td></tr>")


def _pager(page: int, pages: int, href) -> str:
    if pages <= 1:
        return ""
    shown = sorted({1, pages, *range(max(1, page - 3), min(pages, page + 3) + 1)})
    parts, last = [], 0
    for k in shown:
        if k - last > 1:
            parts.append("<span>…</span>")
        parts.append(f"<span>{k}</span>" if k == page else f"<a href='{e(href(k))}'>{k}</a>")
        last = k
    prev = f"<a href='{e(href(page - 1))}'>‹ prev</a>" if page > 1 else ""
    nxt = f"<a href='{e(href(page + 1))}'>next ›</a>" if page < pages else ""
    return f"<div class='pager'>{prev}{''.join(parts)}{nxt}</div>"


# The table script: sorting and filtering run over every document, so on first use it loads
# the row chunks (one <script src> per table page: works from file://).  Rows are built with
# textContent, never innerHTML, so data cannot become markup.
_TABLE_JS = r"""(function(){
var cfg=JSON.parse(document.getElementById('cleaner-index').textContent);
var st={reason:'',source:'',dup:'',key:null,dir:1,page:0},all=null,loading=false;
var R=document.getElementById('f-reason'),S=document.getElementById('f-source'),D=document.getElementById('f-dup');
var stat=document.getElementById('status'),fixed=document.getElementById('rows'),dyn=document.getElementById('rows-js');
var pg=document.getElementById('pager-js'),spg=document.querySelectorAll('.pager.static');
function pad(i){return ('000'+i).slice(-4);}
function load(cb){if(all){cb();return;}if(loading)return;loading=true;window.CLEANER_ROWS=window.CLEANER_ROWS||{};
 var left=cfg.pages;stat.textContent='loading '+cfg.total+' rows…';
 for(var i=1;i<=cfg.pages;i++){var s=document.createElement('script');s.src=cfg.data+'rows-'+pad(i)+'.js';
  s.onload=function(){if(--left===0){all=[];for(var j=1;j<=cfg.pages;j++){all=all.concat(window.CLEANER_ROWS[j]||[]);}loading=false;cb();}};
  s.onerror=function(){stat.textContent='could not load the row data';};document.head.appendChild(s);}}
function keep(r){if(st.reason){if(st.reason==='(none)'){if(r[7])return false;}else if(r[9].indexOf(st.reason)<0)return false;}
 if(st.source){var q=st.source.toLowerCase();if(r[4].toLowerCase().indexOf(q)<0&&String(r[1]).toLowerCase().indexOf(q)<0)return false;}
 if(st.dup==='dup'&&!r[10])return false;if(st.dup==='orig'&&r[10])return false;if(st.dup==='passages'&&!r[12])return false;return true;}
function cell(tr,text,cls,href){var td=document.createElement('td');if(cls)td.className=cls;
 if(href){var a=document.createElement('a');a.href=href;a.textContent=text;td.appendChild(a);}else td.textContent=text;tr.appendChild(td);return td;}
function render(){var rows=all.filter(keep);if(st.key!==null){var k=st.key,d=st.dir;rows.sort(function(a,b){
  var x=a[k],y=b[k];if(k===9){x=x.join(' ');y=y.join(' ');}if(x===null)x='';if(y===null)y='';return (x<y?-1:x>y?1:0)*d||(a[0]-b[0]);});}
 var per=cfg.per,pages=Math.max(1,Math.ceil(rows.length/per));if(st.page>=pages)st.page=pages-1;
 dyn.textContent='';rows.slice(st.page*per,st.page*per+per).forEach(function(r){var tr=document.createElement('tr');
  cell(tr,r[0],'n');cell(tr,r[1],'id',cfg.base+r[2]).firstChild.className='doc';cell(tr,r[3],'title');cell(tr,r[4],'source');
  cell(tr,r[5],'n');cell(tr,r[6],'n');cell(tr,r[7],'n');
  var td=cell(tr,'','reasons');r[9].forEach(function(x){var b=document.createElement('span');b.className='badge';b.textContent=x;td.appendChild(b);});
  cell(tr,r[8],'n');if(r[10])cell(tr,r[10],'dupof',cfg.base+r[11]);else cell(tr,'','dupof');cell(tr,r[12]||'','n');dyn.appendChild(tr);});
 fixed.style.display='none';dyn.style.display='';spg.forEach(function(p){p.style.display='none';});
 stat.textContent=rows.length+' of '+all.length+' documents match';pg.textContent='';
 if(pages>1){[['‹ prev',st.page-1],['next ›',st.page+1]].forEach(function(b){if(b[1]<0||b[1]>=pages)return;var a=document.createElement('a');
  a.href='#';a.textContent=b[0];a.onclick=function(ev){ev.preventDefault();st.page=b[1];render();};pg.appendChild(a);});
  var s=document.createElement('span');s.textContent=' page '+(st.page+1)+' of '+pages;pg.appendChild(s);}}
function update(){st.reason=R.value;st.source=S.value.trim();st.dup=D.value;st.page=0;
 if(!st.reason&&!st.source&&!st.dup&&st.key===null){fixed.style.display='';dyn.style.display='none';pg.textContent='';
  spg.forEach(function(p){p.style.display='';});stat.textContent='';return;}load(render);}
R.onchange=update;D.onchange=update;S.oninput=update;
document.querySelectorAll('th[data-key]').forEach(function(th){th.onclick=function(){var k=+th.getAttribute('data-key');
 if(st.key===k)st.dir=-st.dir;else{st.key=k;st.dir=1;}update();};});
var q=new URLSearchParams(location.search);if(q.get('reason')){R.value=q.get('reason');}if(q.get('dup')){D.value=q.get('dup');}
if(q.get('source')){S.value=q.get('source');}if(R.value||D.value||S.value)update();
})();"""


def _filters(reasons: Iterable[str]) -> str:
    options = "".join(f"<option value='{e(r)}'>{e(r)}</option>" for r in reasons)
    return ("<div class='filters'><label>reason <select id='f-reason'><option value=''>any</option>"
            f"<option value='(none)'>(nothing removed)</option>{options}</select></label>"
            "<label>source or id <input id='f-source' type='search' placeholder='contains…'></label>"
            "<label>duplicates <select id='f-dup'><option value=''>any</option><option value='dup'>duplicate of another"
            "</option><option value='orig'>not a duplicate</option><option value='passages'>has duplicate passages"
            "</option></select></label><span id='status'></span></div>")


# --------------------------------------------------------------------------- summary

def bar_chart(counts: dict[str, int], link=None) -> str:
    """Horizontal bars as inline SVG; labels are escaped data."""
    if not counts:
        return "<p>Nothing was removed.</p>"
    top = max(counts.values()) or 1
    label_w, bar_w, row_h = 220, 420, 22
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' aria-label='removals by reason' "
             f"width='{label_w + bar_w + 80}' height='{row_h * len(counts) + 4}' font-size='13'>"]
    for i, (reason, n) in enumerate(counts.items()):
        y = i * row_h + 2
        w = max(1, round(bar_w * n / top))
        label = f"<text x='{label_w - 6}' y='{y + 15}' text-anchor='end'>{e(_short(reason, 32))}</text>"
        if link:
            label = f"<a href='{e(link(reason))}'>{label}</a>"
        parts.append(f"<g><title>{e(reason)}: {n}</title>{label}<rect x='{label_w}' y='{y + 3}' width='{w}' "
                     f"height='{row_h - 6}' fill='#c0392b'/><text x='{label_w + w + 5}' y='{y + 15}'>{n}</text></g>")
    parts.append("</svg>")
    return "".join(parts)


def render_summary(summary: dict, inputs: Sequence[InputFile], repair_steps: dict[str, int] | None = None,
                   encodings: dict[str, int] | None = None, base: str = "report/", stories: Sequence | None = None) -> str:
    s = summary
    clusters = dict(s.get("duplicate_clusters") or {})
    paragraphs, kept, removed = s.get("paragraphs", 0), s.get("kept", 0), s.get("removed", 0)
    titles = s.get("titles", paragraphs - kept - removed)
    skipped_records = s.get("records_skipped", sum(f.skipped_records for f in inputs))
    figures = [
        ("inputs", f"{s.get('inputs', len(inputs))} ({s.get('failed', 0)} failed, {s.get('skipped', 0)} skipped)"),
        ("documents", s.get("documents", 0)),
        ("paragraphs", f"{paragraphs}: {kept} kept, {removed} removed" + (f", {plural(titles, 'title')}" if titles else "")),
        ("repaired paragraphs", s.get("repaired", 0)),
        ("documents flagged duplicate", s.get("duplicates", 0)),
        ("duplicate clusters", (", ".join(f"{n} {level}" for level, n in sorted(clusters.items())) or "0")
         + (f" ({s['passage_clusters_only_removed']} only among lines removed anyway)"
            if s.get("passage_clusters_only_removed") else "")),
    ]
    if s.get("stories_skipped"):  # past its budget the stage looked for nothing: "0 stories" would mislead
        figures.append(("stories", f"not looked for: {s['stories_skipped']}"))
    elif stories is not None:
        figures.append(("stories", f"{len(stories)} ({plural(sum(len(x.members) for x in stories), 'document')})"
                        + (f"; looked for among rarer names only: {s['stories_limited']}"
                           if s.get("stories_limited") else "")))
    if skipped_records:
        figures.insert(2, ("records skipped", f"{skipped_records} (listed below)"))
    parts = ["<h2>Summary</h2><table class='meta'>"]
    parts += [f"<tr><th>{e(k)}</th><td class='num'>{e(v)}</td></tr>" for k, v in figures]
    parts.append("</table>")
    if titles:
        parts.append("<p><small>Titles are the documents' headlines: the first line of each clean/ file and "
                     "<code>title</code> in corpus.jsonl, neither kept body text nor removed.</small></p>")
    parts.append("<h3>Removals by reason</h3>")
    parts.append(bar_chart(dict(s.get("removed_by_reason") or {}), link=lambda r: "?reason=" + quote(r, safe="")))
    if repair_steps:
        parts.append("<h3>Encoding and text repairs</h3><table>")
        parts += [f"<tr><td>{e(k)}</td><td class='n'>{n}</td></tr>" for k, n in repair_steps.items()]
        parts.append("</table>")
    if encodings and set(encodings) - {"utf-8"}:
        parts.append("<h3>Input encodings</h3><table>")
        parts += [f"<tr><td>{e(k)}</td><td class='n'>{n}</td></tr>" for k, n in encodings.items()]
        parts.append("</table>")
    failed = [f for f in inputs if f.status.value != "ok"]
    problems = [(f.path, p) for f in inputs for p in f.problems]
    if failed:
        parts.append(f"<h3>Inputs not cleaned ({len(failed)})</h3><table><tr><th>input</th><th>status</th>"
                     "<th>error</th></tr>")
        parts += [f"<tr><td>{e(f.path)}</td><td>{e(f.status.value)}</td><td>{e(f.error)}</td></tr>"
                  for f in failed[:MAX_LISTED_PROBLEMS]]
        parts.append("</table>")
        if len(failed) > MAX_LISTED_PROBLEMS:
            parts.append(f"<p>… and {len(failed) - MAX_LISTED_PROBLEMS} more: see manifest.json.</p>")
    if problems:
        parts.append(f"<h3>Records not cleaned ({len(problems)})</h3><table>")
        parts += [f"<tr><td>{e(path)}</td><td>{e(p)}</td></tr>" for path, p in problems[:MAX_LISTED_PROBLEMS]]
        parts.append("</table>")
        if len(problems) > MAX_LISTED_PROBLEMS:
            parts.append(f"<p>… and {len(problems) - MAX_LISTED_PROBLEMS} more: see manifest.json.</p>")
    parts.append(f"<p><a href='{e(base)}clusters-0001.html'>Duplicate clusters →</a></p>")
    if stories is not None:
        parts.append(f"<p><a href='{e(base)}{story_index_page_name(1)}'>Stories →</a></p>")
    return "".join(parts)


# --------------------------------------------------------------------------- writer

@dataclass(frozen=True)
class PageNames:
    """Section names and pages fixed in advance (`ReportWriter.reserve`)."""

    pages: list[str]  # one per document to come, in order: its section's element id
    files: list[str]  # the report/docs/ page file of each
    href: "PageLinks"


@dataclass(frozen=True)
class PageLinks:
    """Links to document sections by id: the section of the first document with the id,
    relative to report/docs/ (a picklable callable, so pages can be rendered in other
    processes).  An id not in the run (a duplicate found in a persistent index) links to
    where a page of its own would be."""

    targets: dict[str, str]  # id -> "page.html#section"

    def __call__(self, doc_id: str) -> str:
        target = self.targets.get(doc_id)
        if target is None:
            name = safe_filename(doc_id)
            target = f"{name}.html#{name}"
        return target


class ReportWriter:
    """Write the report document by document: `add_document` per document, then `finish`.

    `sink` is anything with `write_text(name, text)` taking names relative to OUT: the
    run's `OutputWriter` (so the report is committed atomically with the rest) or a
    `DirectorySink`.
    """

    def __init__(self, sink: TextSink):
        self.sink = sink
        self._rows: list[tuple] = []
        self._names: dict[str, str] = {}
        self.href = PageLinks(self._names)
        """The page of the (first) document with an id, as named so far."""
        self._used: set[str] = set()
        self._reserved: deque[tuple[str, str]] = deque()  # (section name, page file)
        self._page, self._page_docs, self._page_bytes = 0, 0, 0  # the page being named
        self._page_file = document_page_file(0)  # one string a page: `PageNames.files` shares it
        self._sections: list[str] = []  # of the page being filled (`add_page`)
        self._sections_file = ""
        self._repair_steps: Counter[str] = Counter()
        self._encodings: Counter[str] = Counter()
        self._finished = False
        self._stories: list | None = None

    def _new_name(self, doc_id: str, size: int) -> tuple[str, str]:
        """The next document's section name, which no other document has (it is an element
        id; links by id go to the first document with it), and its page file.  `size`
        measures the document (any consistent measure) to close pages at PAGE_BYTES."""
        base = name = safe_filename(doc_id)
        k = 1
        while name.casefold() in self._used:  # repeated ids
            k += 1
            name = f"{base}~{k}"
        self._used.add(name.casefold())
        if self._page_docs and (self._page_docs >= DOCS_PER_PAGE or self._page_bytes >= PAGE_BYTES):
            self._page, self._page_docs, self._page_bytes = self._page + 1, 0, 0
            self._page_file = document_page_file(self._page)
        self._page_docs += 1
        self._page_bytes += size
        self._names.setdefault(doc_id, f"{self._page_file}#{name}")
        return name, self._page_file

    def reserve(self, ids: Iterable[str], sizes: Iterable[int]) -> PageNames:
        """Name the sections of the documents to come and choose their pages (their ids and
        sizes, in the order they will be added), so pages can be rendered and placed
        elsewhere before `add_page` or `add_rows` reaches them."""
        named = [self._new_name(doc_id, size) for doc_id, size in zip(ids, sizes, strict=True)]
        self._reserved.extend(named)
        return PageNames([n for n, _ in named], [f for _, f in named], PageLinks(dict(self._names)))

    PAGES = "report/docs"
    """The output folder of the document pages."""

    def add_document(self, doc: Document) -> None:
        if not self._reserved:
            self._reserved.append(self._new_name(doc.id, sum(len(p.original) for p in doc.paragraphs)
                                                    + sum(len(b.text) for b in doc.left_out)))
        self.add_page(doc.id, render_document_section(doc, self._reserved[0][0], doc_href=self.href),
                      row_fields(doc), doc.encoding, [r.step for p in doc.paragraphs for r in p.repairs])

    def add_page(self, doc_id: str, section: str, fields: tuple, encoding: str | None,
                 repair_steps: Iterable[str]) -> None:
        """Add a document rendered elsewhere (`render_document_section` under its reserved
        name, with `href` for links to other documents; `row_fields`), in input order."""
        self._check_open()
        name, page = self._reserved.popleft() if self._reserved else self._new_name(doc_id, len(section))
        if page != self._sections_file:
            self._write_sections()
            self._sections_file = page
        self._sections.append(section)
        self._rows.append(table_row(len(self._rows) + 1, page, name, fields, self.href))
        self._encodings[encoding or "unknown"] += 1
        self._repair_steps.update(repair_steps)

    def _write_sections(self) -> None:
        """Write the page of the sections added so far."""
        if self._sections:
            self.sink.write_text(f"{self.PAGES}/{self._sections_file}", document_page(self._sections))
            self._sections = []

    def add_rows(self, rows: list[tuple], encodings: Counter, repair_steps: Counter) -> None:
        """Rows made elsewhere (`table_row`, with the reserved page names and links) for the
        next documents, whose pages are in place, with their encodings and repair steps counted."""
        self._check_open()
        if self._sections:
            raise ValueError("rows added while a page of documents is still being filled")
        if rows and rows[0][0] != len(self._rows) + 1:
            raise ValueError(f"row {rows[0][0]} added after row {len(self._rows)}")
        for _ in rows:
            self._reserved.popleft()
        self._rows.extend(rows)
        self._encodings.update(encodings)
        self._repair_steps.update(repair_steps)

    def _check_open(self) -> None:
        if self._finished:
            raise RuntimeError("document added after finish")

    def finish(self, summary: dict, clusters: Sequence = (), inputs: Sequence[InputFile] = (),
               stories: Sequence | None = None) -> None:
        """Write the table, cluster and story pages.  `stories` are the run's
        `cleaner.stories.Story` records; None when the stage did not run (no story pages)."""
        self._write_sections()
        self._finished = True
        self._stories = None if stories is None else list(stories)
        self._write_table(summary, inputs)
        self._write_clusters(clusters)
        if self._stories is not None:
            self._write_stories(self._stories)

    def _write_table(self, summary: dict, inputs: Sequence[InputFile]) -> None:
        rows, per = self._rows, ROWS_PER_PAGE
        pages = max(1, -(-len(rows) // per))
        reasons = sorted({r for row in rows for r in row[9]} | set(summary.get("removed_by_reason") or {}))
        repairs = dict(self._repair_steps.most_common())
        for page in range(1, pages + 1):
            chunk = rows[(page - 1) * per: page * per]
            self.sink.write_text(f"report/data/rows-{page:04d}.js", f"{_ROWS_PREFIX}[{page}]={script_json(chunk)};\n")
            root = page == 1
            base = "report/" if root else ""
            href = self._table_href(root)
            cfg = {"pages": pages, "total": len(rows), "per": per, "base": base, "data": base + "data/"}
            stories_link = ("" if self._stories is None else
                            f"<a href='{base}{story_index_page_name(1)}'>stories</a>")
            head = (f"<nav><a href='{'' if root else '../'}report.html'>summary</a>"
                    f"<a href='{base}clusters-0001.html'>duplicate clusters</a>{stories_link}</nav>"
                    "<h1>cleaner report</h1>")
            if root:
                head += render_summary(summary, inputs, repairs, dict(self._encodings.most_common()), base,
                                       stories=self._stories)
            first = (page - 1) * per + 1
            body = (f"{head}<h2 id='documents'>Documents {first if rows else 0}–{first + len(chunk) - 1 if rows else 0}"
                    f" of {len(rows)}</h2>{_filters(reasons)}"
                    f"<div class='pager static'>{_pager(page, pages, href)}</div><div id='pager-js' class='pager'></div>"
                    f"<table id='documents-table'>{_TABLE_HEAD}<tbody id='rows'>"
                    f"{''.join(_row_html(r, base) for r in chunk)}</tbody><tbody id='rows-js' style='display:none'>"
                    f"</tbody></table><div class='pager static'>{_pager(page, pages, href)}</div>"
                    f"<script type='application/json' id='cleaner-index'>{script_json(cfg)}</script>"
                    f"<script>{_TABLE_JS}</script>")
            self.sink.write_text(table_page_name(page), _page(f"cleaner report — page {page}", body))

    @staticmethod
    def _table_href(from_root: bool):
        """Links between table pages, from OUT/report.html or from a page in OUT/report/."""
        def href(k: int) -> str:
            if from_root:
                return table_page_name(k)
            return "../report.html" if k == 1 else table_page_name(k).removeprefix("report/")
        return href

    def _write_clusters(self, clusters: Sequence) -> None:
        clusters = list(clusters)
        pages = max(1, -(-len(clusters) // CLUSTERS_PER_PAGE))
        by_level = Counter(getattr(c, "level", "?") for c in clusters)
        moot = sum(bool(getattr(c, "only_removed", False)) for c in clusters)  # once, not once a page
        href = lambda k: f"clusters-{k:04d}.html"  # noqa: E731
        for page in range(1, pages + 1):
            start = (page - 1) * CLUSTERS_PER_PAGE
            parts = ["<nav><a href='../report.html'>← report</a></nav><h1>Duplicate clusters</h1>",
                     f"<p>{plural(len(clusters), 'cluster')}"
                     + (": " + ", ".join(f"{n} {e(level)}" for level, n in sorted(by_level.items())) if clusters else "")
                     + (f"; {moot} of them only among lines the run removed anyway" if moot else "")
                     + ".</p>", _CLUSTER_LEGEND, _pager(page, pages, href)]
            for k, c in enumerate(clusters[start:start + CLUSTERS_PER_PAGE], start):
                parts.append(self._cluster_html(k, c))
            parts.append(_pager(page, pages, href))
            self.sink.write_text(f"report/clusters-{page:04d}.html",
                                 _page(f"duplicate clusters — page {page}", "".join(parts)))

    def _cluster_html(self, k: int, c) -> str:
        """Cluster `k` (0-based), shown as #k+1.  One member is marked: the representative
        (document level) or the first copy (passage level), even when the cluster's
        members are passages of one document."""
        rep = getattr(c, "representative", None)
        label = "representative" if c.level == "document" else "first seen"
        marked = False
        rows = []
        for m in c.members:
            anchor = f"/p{m.paragraph}" if getattr(m, "paragraph", None) is not None else ""
            mark = ""
            if m.doc == rep and not marked:
                mark, marked = f" <span class='tag'>{label}</span>", True
            para = "" if getattr(m, "paragraph", None) is None else str(m.paragraph)
            text = e(_short(getattr(m, "text", None), 400))
            removed = getattr(m, "removed", None)
            if removed:
                text = f"<del>{text}</del> <span class='badge' title='removed: reason'>{e(removed)}</span>"
            rows.append(f"<tr><td><a href='docs/{e(self.href(m.doc))}{anchor}'>{e(m.doc)}</a>{mark}</td>"
                        f"<td class='n'>{e(para)}</td><td class='text'>{text}</td></tr>")
        moot = bool(getattr(c, "only_removed", False))
        note = ("<p class='moot-note'>Every copy is a line the run removed anyway: a fact about the page, with no "
                "effect on the corpus.</p>" if moot else "")
        return (f"<section class='cluster{' moot' if moot else ''}' id='{cluster_anchor(k)}'><h3>#{k + 1} "
                f"<span class='tag'>{e(c.level)}</span> similarity {float(c.similarity):.2f} · "
                f"{plural(len(c.members), 'member')}{' · only removed lines' if moot else ''}</h3>{note}"
                f"<table><tr><th>document</th><th class='n'>paragraph</th><th>text</th></tr>{''.join(rows)}"
                "</table></section>")


    def _write_stories(self, stories: list) -> None:
        """The stories index (report/stories-NNNN.html) and a page per story (`story_page_name`).
        Sources come from the documents-table rows (a story record holds id, title, date
        and site); links to documents and their paragraphs go through `href`."""
        wanted = {m.doc for s in stories for m in s.members}
        sources: dict[str, str] = {}
        for row in self._rows:
            if row[1] in wanted:
                sources.setdefault(row[1], row[4])
        files, used = [], set()
        for story in stories:
            base = name = story_page_name(story.story).removesuffix(".html")
            k = 1
            while name.casefold() in used:  # two stories whose first members share an id
                k += 1
                name = f"{base}~{k}"
            used.add(name.casefold())
            files.append(name + ".html")
        for story, name in zip(stories, files):
            self.sink.write_text(f"report/{name}", render_story_page(story, self.href, sources))
        pages = max(1, -(-len(stories) // STORIES_PER_PAGE))
        documents = sum(len(s.members) for s in stories)
        for page in range(1, pages + 1):
            start = (page - 1) * STORIES_PER_PAGE
            rows = []
            for k, (story, name) in enumerate(zip(stories[start:start + STORIES_PER_PAGE],
                                                 files[start:start + STORIES_PER_PAGE]), start):
                first = story_members_in_order(story)[0]
                dates = sorted(m.date for m in story.members if m.date)
                when = (dates[0] if dates[0] == dates[-1] else f"{dates[0]} – {dates[-1]}") if dates else ""
                sites = ", ".join(sorted({m.site for m in story.members if m.site}))
                rows.append(f"<tr><td class='n'>{k + 1}</td><td><a class='story' href='{e(name)}'>"
                            f"{e(_short(first.title or first.doc, MAX_TITLE))}</a></td>"
                            f"<td class='n'>{len(story.members)}</td><td class='n'>{len(story.passages)}</td>"
                            f"<td>{e(when)}</td><td>{e(sites)}</td></tr>")
            body = ("<nav><a href='../report.html'>← report</a></nav><h1>Stories</h1>"
                    f"<p>{plural(len(stories), 'story', 'stories')}, {plural(documents, 'document')}.</p>"
                    f"{_STORY_LEGEND}{_pager(page, pages, story_index_page_name)}"
                    + ("<table id='stories-table'><tr><th class='n'>#</th><th>story (earliest report)</th>"
                       "<th class='n'>documents</th><th class='n'>aligned passages</th><th>dates</th>"
                       f"<th>sites</th></tr>{''.join(rows)}</table>" if rows else "")
                    + _pager(page, pages, story_index_page_name))
            self.sink.write_text(f"report/{story_index_page_name(page)}", _page(f"stories — page {page}", body))


_STORY_LEGEND = ("<p><small>A story is one real-world event (the same actors, place, time and happening) "
                 "reported by documents of different sites; a topic is not a story. Each page lists the "
                 "members, earliest report first, the evidence that joined them, and their paragraphs that "
                 "state the same fact side by side.</small></p>")


def story_members_in_order(story) -> list:
    """A story's members, earliest report first (dated before undated, then run order)."""
    return [m for _, _, m in sorted((m.date or "\uffff", k, m) for k, m in enumerate(story.members))]


def render_story_page(story, doc_href: Callable[[str], str], sources: dict[str, str] | None = None) -> str:
    """The page of one story (`cleaner.stories.Story`), in report/stories/: its members
    (id, title, source, date, site), earliest report first, the links that joined them,
    and its aligned passages side by side with their similarity.  `doc_href` gives a
    document's section relative to report/docs/; `sources` a member's source by id."""
    sources = sources or {}
    members = story_members_in_order(story)
    head = members[0]
    earlier = {m.doc for m in members if m.earlier_run}  # their pages are in their own run's report
    member_css = " class='doc'"

    def doc_link(doc: str, anchor: str = "", css: str = "") -> str:
        if doc in earlier:
            return f"{e(doc)} <span class='tag'>earlier run</span>"
        return f"<a{css} href='../docs/{e(doc_href(doc))}{anchor}'>{e(doc)}</a>"

    rows = "".join(
        f"<tr class='member'><td class='id'>{doc_link(m.doc, css=member_css)}</td>"
        f"<td class='title'>{e(m.title)}</td><td class='source'>{e(sources.get(m.doc))}</td>"
        f"<td>{e(m.date)}</td><td>{e(m.site)}</td></tr>" for m in members)
    parts = ["<nav><a href='../../report.html'>← report</a><a href='../stories-0001.html'>stories</a></nav>",
             f"<h1>{e(head.title or head.doc)}</h1>",
             f"<p>{plural(len(members), 'document')} report this event; "
             f"{plural(len(story.passages), 'aligned passage')}.</p>",
             "<h2>Members</h2><table id='members'><tr><th>id</th><th>title</th><th>source</th><th>date</th>"
             f"<th>site</th></tr>{rows}</table>"]
    if story.links:
        parts.append("<h2>Why they were joined</h2><table id='links'><tr><th>documents</th><th class='n'>alignment"
                     "</th><th class='n'>headline</th><th>shared names</th><th>numbers</th><th>terms</th></tr>")
        parts += [f"<tr><td>{e(a)} · {e(b)}</td><td class='n'>{link.similarity:.2f}</td>"
                  f"<td class='n'>{link.headline:.2f}</td><td>{e(', '.join(link.names))}</td>"
                  f"<td>{e(', '.join(link.numbers))}</td><td>{e(', '.join(link.terms))}</td></tr>"
                  for link in story.links for a, b in [link.docs]]
        parts.append("</table>")
    parts.append("<h2>Aligned passages</h2>")
    if not story.passages:
        parts.append("<p>No paragraphs of different members were found to state one fact.</p>")
    for k, passage in enumerate(story.passages, 1):
        cells = "".join(
            f"<div class='said'><div class='who'>{doc_link(m.doc, f'/p{int(m.paragraph)}')}"
            f" ¶{int(m.paragraph)}{' · ' + e(m.date) if m.date else ''}"
            f"{' · ' + e(m.site) if m.site else ''}</div>{e(m.text)}</div>" for m in passage.members)
        parts.append(f"<section class='aligned' id='a{k}'><h3>#{k} similarity {float(passage.similarity):.2f} · "
                     f"{plural(len(passage.members), 'document')}</h3><div class='side'>{cells}</div></section>")
    return _page(f"story: {head.title or head.doc}", "".join(parts))


_CLUSTER_LEGEND = ("<p><small>A document cluster holds near-duplicate documents; its <i>representative</i> is the "
                   "one kept as the original. A passage cluster holds a paragraph repeated across documents or "
                   "inside one; <i>first seen</i> marks its first copy.</small></p>")


_ROWS_PREFIX = "(window.CLEANER_ROWS=window.CLEANER_ROWS||{})"


def read_table_rows(out: str | os.PathLike) -> Iterator[list]:
    """The documents-table rows of a finished report in OUT, in order, as written to
    report/data/rows-NNNN.js (`ROW_FIELDS`); ValueError for a file that is not such data."""
    for path in sorted(Path(out, "report", "data").glob("rows-*.js")):
        text = path.read_text(encoding="utf-8")
        head, sep, data = text.partition("]=")
        if not head.startswith(_ROWS_PREFIX) or not sep:
            raise ValueError(f"{path}: not the report's table data")
        yield from json.loads(data.rstrip().removesuffix(";"))


def render_report(summary: dict, docs: Sequence[Document], inputs: Sequence[InputFile]) -> str:
    """One self-contained page with the summary and every document (small runs, notebooks).

    The pipeline writes the paged report with `ReportWriter`; this single page is kept for
    callers that want one string.
    """
    parts = ["<h1>cleaner report</h1>", render_summary(summary, inputs, base="report/"), "<h2>Documents</h2>"]
    for doc in docs:
        items = _paragraph_items(doc, lambda d: f"#doc-{d}", lambda k: f"report/{cluster_page_name(k)}#{cluster_anchor(k)}")
        dup = (f"<p>Duplicate of <a href='#doc-{e(doc.duplicate_of)}'>{e(doc.duplicate_of)}</a></p>"
               if doc.duplicate_of else "")
        parts.append(f"<section id='doc-{e(doc.id)}'><h3>{e(doc.id)}</h3><p><small>{e(doc.source)}</small></p>"
                     f"{dup}<ol class='paras' start='0'>{''.join(items)}</ol></section>")
    return _page("cleaner report", "".join(parts))
