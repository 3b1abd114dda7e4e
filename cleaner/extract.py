"""Stage 2: turn a `RawDocument` into a `Document` made of paragraphs.

HTML goes through trafilatura (main text plus title, author, date, site and URL) with
its process-wide deduplication off, so one page's output never depends on pages seen
before.  Plain text becomes one paragraph per non-empty line, except hard-wrapped text,
whose blank-line separated blocks are joined into one paragraph each.
"""
from __future__ import annotations

import functools
import re
import sys
from copy import deepcopy
from urllib.parse import urlsplit

from . import blocks
from .boilerplate.restore import restore_left_out
from .boilerplate.rules import matching_rule
from .config import ExtractConfig
from .interrupts import stop_signals_deferred
from .models import Document, Metadata, PageBlock, Paragraph, RawDocument, Repair

_TOKEN = re.compile(r"(?P<opaque><!--.*?(?:-->|\Z)|<(?P<raw>script|style)\b.*?(?:</(?P=raw)\s*>|\Z))"
                    r"|<(?P<close>/?)(?P<name>[a-zA-Z][a-zA-Z0-9]*)[^>]*?(?P<self>/?)>",
                    re.DOTALL | re.IGNORECASE)
_IMPLIED_END = {"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "thead", "tbody",
                "tfoot", "rt", "rp", "colgroup", "caption"}
LXML_MAX_DEPTH = 250
"""libxml2's default nesting limit is 256; trafilatura adds a few levels of its own."""
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
         "source", "track", "wbr"}
MAX_PARAGRAPH_CHARS = 20_000
"""Longer paragraphs (a 10 MB file on one line) are split so that no later stage works on
megabyte strings; each piece records the `split_long_paragraph` repair."""
_LIST_LINE = re.compile(r"^[-*]\s+")


class ExtractionError(Exception):
    """The page could not be parsed or holds no main text."""


def extract(raw: RawDocument, config: ExtractConfig) -> Document:
    if raw.format == "html":
        return extract_html(raw, config)
    return extract_text(raw)


def extract_text(raw: RawDocument) -> Document:
    doc = Document(id=raw.id, source=raw.source, format="text", encoding=raw.encoding,
                   title=raw.title, metadata=Metadata(url=raw.url, site=_host(raw.url)), fetched=raw.date)
    doc.paragraphs = [q for p in split_paragraphs(raw.content) for q in _capped(Paragraph(original=p))]
    return doc


def _capped(paragraph: Paragraph, limit: int = MAX_PARAGRAPH_CHARS) -> list[Paragraph]:
    """`paragraph` itself, or its pieces when longer than `limit`, cut after a sentence or a space.

    >>> [len(p.original) for p in _capped(Paragraph(original="Word. " * 5), limit=12)]
    [12, 12, 6]
    >>> _capped(Paragraph(original="x" * 25), limit=10)[0].repairs
    [Repair(step='split_long_paragraph', detail='25 characters cut into pieces of at most 10')]
    """
    text = paragraph.original
    if len(text) <= limit:
        return [paragraph]
    repair = Repair(step="split_long_paragraph", detail=f"{len(text)} characters cut into pieces of at most {limit}")
    pieces: list[Paragraph] = []
    start = 0
    while start < len(text):
        end = min(start + limit, len(text))
        if end < len(text):
            window = text[start:end]
            cut = max(window.rfind(". "), window.rfind("? "), window.rfind("! ")) + 2
            if cut < limit // 2:
                cut = window.rfind(" ") + 1
            if cut >= limit // 2:
                end = start + cut
        piece = text[start:end]
        if piece.strip():
            pieces.append(Paragraph(original=piece, heading=paragraph.heading, repairs=[repair]))
        start = end
    return pieces


def split_paragraphs(text: str) -> list[str]:
    """One paragraph per non-empty line, or per block when the text is hard-wrapped.

    >>> split_paragraphs("Title\\n\\nFirst line.\\nSecond line.\\n")
    ['Title', 'First line.', 'Second line.']
    >>> wrapped = "\\n".join(["word " * 12] * 3) + "\\n\\n" + "\\n".join(["more " * 12] * 2)
    >>> [len(p.split()) for p in split_paragraphs(wrapped)]
    [36, 24]
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = [b.split("\n") for b in re.split(r"\n[ \t]*\n", text)]
    blocks = [[line for line in b if line.strip()] for b in blocks]
    blocks = [b for b in blocks if b]
    if _is_hard_wrapped(blocks):
        return [" ".join(line.strip() for line in b) for b in blocks]
    return [line for b in blocks for line in b]


def _is_hard_wrapped(blocks: list[list[str]]) -> bool:
    """Wrapped text: most lines sit in multi-line blocks and break near one fixed width."""
    lines = [line.rstrip() for b in blocks for line in b]
    if len(lines) < 4:
        return False
    in_multi = sum(len(b) for b in blocks if len(b) > 1)
    if in_multi < 0.6 * len(lines):
        return False
    widths = sorted(len(line) for line in lines)
    width = widths[int(len(widths) * 0.9)]
    if width > 100:
        return False
    # Inside a block every line but the last should run close to the wrap width.
    inner = [len(line.rstrip()) for b in blocks if len(b) > 1 for line in b[:-1]]
    return sum(w >= 0.6 * width for w in inner) >= 0.8 * len(inner)


def _trafilatura():
    """trafilatura, imported by the first HTML page, not at start-up (0.1 s that text-only runs
    never need), with Ctrl-C held until the import ends: lxml's initialisation swallows it."""
    module = sys.modules.get("trafilatura")
    if module is None:
        with stop_signals_deferred():
            import trafilatura as module
            import trafilatura.core  # noqa: F401  _main_text
            import trafilatura.metadata  # noqa: F401  page_metadata
            import trafilatura.utils  # noqa: F401  load_html
    _class_lookup_in_c(module.utils.HTML_PARSER)
    return module


@functools.cache
def _class_lookup_in_c(parser) -> None:
    """Have `parser` (trafilatura's, which parses every page) give elements lxml.html's classes
    by a lookup written in C.  lxml makes an element's Python object each time code reaches
    the element and none is alive, and lxml.html's lookup picks its class by a call into
    Python (`HtmlElementClassLookup.lookup`): about 4,900 calls a page on peer-dev html, in
    the extractor's work most of all, 0.14 us each.  Here a namespace lookup in C gives the
    same class for every node: lxml.html's classes by tag name (the HTML parser writes tag
    names in lower case, the case those names are registered in), `HtmlElement` for any other
    element, and lxml.html's comment, processing-instruction and entity classes.  A parser of
    another type than lxml.html's `HTMLParser` is left as it is."""
    from lxml import etree, html

    if type(parser) is not html.HTMLParser:
        return
    lookup = etree.ElementNamespaceClassLookup(etree.ElementDefaultClassLookup(
        element=html.HtmlElement, comment=html.HtmlComment, pi=html.HtmlProcessingInstruction,
        entity=html.HtmlEntity))
    lookup.get_namespace(None).update(html.HtmlElementClassLookup._default_element_classes)
    parser.set_element_class_lookup(lookup)


def extract_html(raw: RawDocument, config: ExtractConfig) -> Document:
    """The page's main text as paragraphs, and every other visible block of the page as a
    left-out block with its reason (`cleaner.blocks`)."""
    trafilatura = _trafilatura()
    try:
        tree = _parse(trafilatura, raw.content, config.max_html_depth)
        if tree is None:
            raise ExtractionError("HTML could not be parsed: not a web page")
        elements = _held_proxies(tree)
        # The blocks and the metadata are read first: the extractor then works on the tree
        # itself and changes it (`_main_text`).
        found, marks = blocks.page_blocks(tree)
        try:
            meta, meta_error = page_metadata(trafilatura, tree, raw.url), None
        except Exception as exc:  # reported only for a page with a main text, as before
            meta, meta_error = None, exc
        del elements  # the last walk over the tree is done
        result = _main_text(trafilatura, tree, raw.url, config)
        if result is not None and meta_error is not None:
            raise meta_error
    except ExtractionError:
        raise
    except Exception as exc:  # lxml and trafilatura raise many kinds on broken markup
        raise ExtractionError(f"HTML could not be parsed: {type(exc).__name__}: {exc}") from None
    if result is None or not (result.text or "").strip():
        if config.target_language:
            raise ExtractionError(f"no main text in the target language ({config.target_language}) found in the HTML")
        raise ExtractionError("no main text found in the HTML")
    doc = Document(id=raw.id, source=raw.source, format="html", encoding=raw.encoding,
                   title=raw.title or meta.title or None,
                   metadata=Metadata(url=raw.url or meta.url, date=meta.date, author=meta.author,
                                     site=meta.sitename or _host(raw.url or meta.url)),
                   fetched=raw.date)
    # Plain output, not markdown: formatting marks measurably cost accuracy on real pages.
    text = result.text
    if config.include_comments and (result.comments or "").strip():
        text += "\n" + result.comments
    lines = [_LIST_LINE.sub("", line) for line in text.split("\n")]
    lines = [line for line in lines if line.strip()]
    first_paragraph = []
    for line in lines:
        first_paragraph.append(len(doc.paragraphs))
        doc.paragraphs.extend(_capped(Paragraph(original=line)))
    layout = blocks.align(found, lines, doc.title)
    first_paragraph.append(len(doc.paragraphs))
    doc.left_out = [PageBlock(text, reason, first_paragraph[line])
                    for text, reason, line in blocks.left_out(layout, marks, matching_rule)]  # memoised: menus recur
    restore_left_out(doc, found)
    return doc


_BARE_EXTRACTION = "2e57adb3062086f9"
"""The digest of trafilatura's `bare_extraction` source that `_main_text` mirrors; another
trafilatura's is called as it is (on a copy of the tree)."""


@functools.cache
def _mirrors_bare_extraction(core) -> bool:
    import hashlib
    import inspect

    try:
        source = inspect.getsource(core.bare_extraction)
    except (OSError, TypeError):
        return False
    return hashlib.sha256(source.encode()).hexdigest()[:16] == _BARE_EXTRACTION


def _main_text(trafilatura, tree, url: str | None, config: ExtractConfig):
    """trafilatura's `bare_extraction(tree, ...)` (plain text, no metadata, no deduplication),
    run on `tree` itself: `bare_extraction` copies a tree it is handed (0.7 ms a page on
    peer-dev html, and as much again to free the copy), and the caller has read the tree
    already.  The calls are those `bare_extraction` makes once it holds the tree; a target
    language and another trafilatura's `bare_extraction` go to that function."""
    core = trafilatura.core
    if config.target_language or not _mirrors_bare_extraction(core):
        return trafilatura.bare_extraction(
            tree, url=url, include_comments=config.include_comments, include_tables=config.include_tables,
            favor_precision=config.favor_precision, favor_recall=config.favor_recall,
            target_language=config.target_language, deduplicate=False, with_metadata=False,
            include_formatting=False, output_format="python")
    options = core.Extractor(
        config=core.DEFAULT_CONFIG, output_format="python", fast=False, precision=config.favor_precision,
        recall=config.favor_recall, comments=config.include_comments, formatting=False, links=False,
        images=False, tables=config.include_tables, dedup=False, lang=None, url=url, with_metadata=False,
        only_with_metadata=False, author_blacklist=None, url_blacklist=None, date_params=None)
    try:
        document = core.Document()
        postbody, text, commentsbody, comments = core.trafilatura_sequence(tree, options, options.url or document.url)
        if options.max_tree_size:
            if len(postbody) > options.max_tree_size:
                core.strip_tags(postbody, "hi")
            if len(postbody) > options.max_tree_size:
                raise ValueError
        if len(text) < options.min_output_size and len(comments) < options.min_output_comm_size:
            raise ValueError
    except (TypeError, ValueError):
        return None
    document.text = core.xmltotxt(postbody, options.formatting)
    if options.comments:
        document.comments = core.xmltotxt(commentsbody, options.formatting)
        document.commentsbody = commentsbody
    document.raw_text = document.text
    document.body = postbody
    return document


def _held_proxies(tree) -> list:
    """Every node of `tree` as a Python object, made once.  lxml makes an element's Python
    object anew on each visit unless one is alive, and lxml.html looks its class up in
    Python each time; holding them all lets the blocks walk, the author search and htmldate
    visit the tree without remaking them (0.6 ms a page of 8 on peer-dev html)."""
    return list(tree.iter())


DATE_SEARCH = {"extensive_search": False, "original_date": True}
"""htmldate without its extensive search: that search parses free text with dateparser and
was half of an HTML page's cost (docs/html.md has the dates it changes on peer-dev)."""


def _parse(trafilatura, html: str, max_depth: int):
    """The page's tree, parsed once.  Markup nested past libxml2's limit loses the text below
    it, so such a page (libxml2 says so in the parser's error log) is flattened and parsed
    again; a configured `max_depth` under that limit flattens every page first."""
    if max_depth < LXML_MAX_DEPTH:
        return trafilatura.utils.load_html(_flatten_deep_markup(html, max_depth))
    tree = trafilatura.utils.load_html(html)
    parser = getattr(trafilatura.utils, "HTML_PARSER", None)
    log = getattr(parser, "error_log", None)
    if log is None or any(e.type_name == "ERR_RESOURCE_LIMIT" for e in log):
        return trafilatura.utils.load_html(_flatten_deep_markup(html, max_depth))
    return tree


def page_metadata(trafilatura, tree, url: str | None):
    """Title, author, URL, date and site name, as trafilatura's `extract_metadata` finds them,
    less what cleaner does not record (categories, tags, licence: a third of its cost) and
    with htmldate's quick date search (`DATE_SEARCH`)."""
    import htmldate  # trafilatura's date finder, imported by trafilatura already

    md = trafilatura.metadata
    found = md.examine_meta(tree)
    if found.author and " " not in found.author:
        found.author = None
    try:
        found = md.extract_meta_json(tree, found)
    except Exception:  # trafilatura's JSON-LD reader fails on some malformed data
        pass
    if not found.title:
        found.title = md.extract_title(tree)
    if not found.author:
        found.author = page_author(tree)
    if not found.url:
        found.url = md.extract_url(tree, url)
    found.date = htmldate.find_date(tree, url=found.url, **DATE_SEARCH)
    if not found.sitename:
        found.sitename = md.extract_sitename(tree)
    if found.sitename:
        found.sitename = found.sitename.lstrip("@")
        if found.sitename and "." not in found.sitename and not found.sitename[0].isupper():
            found.sitename = found.sitename.title()
    elif found.url:
        site = md.META_URL.match(found.url)
        if site:
            found.sitename = site[1]
    found.clean_and_trim()
    return found


_AUTHOR_SEARCH = "25bd9dc701d833cf"
"""The digest of trafilatura's `AUTHOR_XPATHS` and `AUTHOR_DISCARD_XPATHS` that `page_author`
mirrors; other expressions (another trafilatura) send it back to `extract_author` itself."""
_AUTHOR_TAGS = (frozenset({"a", "address", "div", "link", "p", "span", "strong"}),
                frozenset({"a", "div", "h3", "h4", "p", "span"}))
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_CLASS = re.compile("^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram"
                            "|article-(?:share|support)|print|category|meta-date|meta-reviewer")
_DISCARD_ID = re.compile("^comments|comment-?list|ProductReviews")
_AUTHOR_CLASS = (re.compile("author-?name|AuthorName|authorName"),
                 re.compile("author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"),
                 re.compile("[Aa]uthor|screenname|writer|[Bb]yline"))
_AUTHOR_ID = (re.compile("author|zuozhe|bianji|xiaobian"), re.compile("[Aa]uthor"))
_NOTHING = (False, False, False, False)


@functools.lru_cache(maxsize=8192)
def _class_says(cls: str) -> tuple[bool, bool, bool, bool]:
    """What a class value says in trafilatura's author expressions (values repeat within a
    page and across a site's pages: cached): (the element's part is no byline, it matches
    the first, the second, the third author expression)."""
    first, second, third = _AUTHOR_CLASS
    return (cls in ("comments", "title", "date") or _DISCARD_CLASS.search(cls) is not None,
            cls == "author" or first.search(cls) is not None,
            cls in ("byline", "username", "byl", "BBL") or second.search(cls) is not None,
            third.search(cls) is not None)


@functools.lru_cache(maxsize=8192)
def _id_says(ident: str) -> tuple[bool, bool, bool, bool]:
    """`_class_says` for an id value."""
    second, third = _AUTHOR_ID
    return (ident == "comments" or _DISCARD_ID.search(ident) is not None, ident == "author",
            second.search(ident) is not None, third.search(ident) is not None)


@functools.cache
def _mirrors_trafilatura(xpaths) -> bool:
    import hashlib

    paths = "\0".join(x.path for x in (*xpaths.AUTHOR_XPATHS, *xpaths.AUTHOR_DISCARD_XPATHS))
    return hashlib.sha256(paths.encode()).hexdigest()[:16] == _AUTHOR_SEARCH


def page_author(tree) -> str | None:
    """trafilatura's `extract_author(tree)`, the same result at a fraction of its cost.

    That function copies the whole tree, deletes the parts where a name is no byline
    (comments, sidebars, `time`, `figure`, ...) and runs three XPath searches whose regular
    expressions call back into Python for every element.  Here one walk over the elements
    tests the same conditions on their attributes; a candidate inside a deleted part is
    skipped, and one holding such a part is read from a pruned copy of itself only, so its
    text is exactly what the pruned tree gives.  Markup with a `rel` element (the
    expression's `rel='me'` reads a child's text) and other trafilatura expressions than
    those mirrored go to `extract_author` itself."""
    import trafilatura.metadata as md
    import trafilatura.xpaths as xpaths

    if not _mirrors_trafilatura(xpaths):
        return md.extract_author(tree)
    discarded = set()
    found: tuple[list, list, list] = ([], [], [])
    tags0, tags1 = _AUTHOR_TAGS
    for el in tree.iter():
        tag = el.tag
        if type(tag) is not str:
            continue
        if tag in ("time", "figure"):
            if el is not tree:
                discarded.add(el)
        elif tag == "rel":
            return md.extract_author(tree)
        elif tag == "author":
            found[0].append(el)
        names = el.keys()  # values are read only for the attributes an element has
        if not names:
            continue
        get = el.get
        cls = get("class") if "class" in names else None
        ident = get("id") if "id" in names else None
        discard, first, second, third = _class_says(cls) if cls else _NOTHING
        if ident:
            by_id = _id_says(ident)
            discard, first, second, third = (discard or by_id[0], first or by_id[1], second or by_id[2],
                                              third or by_id[3])
        itemprop = get("itemprop") if "itemprop" in names else None
        component = get("data-component") if "data-component" in names else None
        if itemprop:
            second = second or "author" in itemprop
            third = third or "author" in itemprop
            first = first or itemprop == "author name"
        if component:
            discard = discard or "Figure" in component
            third = third or "Byline" in component
        if discard and tag in _DISCARD_TAGS and el is not tree:
            discarded.add(el)
        if tag in tags0 and (first or ("rel" in names and get("rel") == "author")
                             or ("data-testid" in names and get("data-testid") in ("AuthorCard", "AuthorURL"))):
            found[0].append(el)
        if second and tag in tags1:
            found[1].append(el)
        if third:
            found[2].append(el)
    for candidates in found:
        for el in candidates:
            if el in discarded or any(a in discarded for a in el.iterancestors()):
                continue
            if discarded and any(d in discarded for d in el.iterdescendants()):
                el = md.prune_unwanted_nodes(deepcopy(el), xpaths.AUTHOR_DISCARD_XPATHS)
            content = " ".join(" ".join(el.itertext()).split())
            if content and 2 < len(content) < 120:
                return md.normalize_authors(None, content)
    return None


def _flatten_deep_markup(html: str, max_depth: int) -> str:
    """Drop tags nested deeper than `max_depth`, keeping their text.

    libxml2 (under lxml) stops building the tree past 255 levels and the text below is
    lost, so the limit is clamped to `LXML_MAX_DEPTH`; news pages are never that deep, so
    such markup is hostile or broken and its structure is worth nothing.  Comments, script
    and style bodies are passed through untouched ('a<b' in a script is not a tag), and
    elements the parser closes implicitly (p, li, td, ...) do not count as nesting.

    >>> deep = "<div>" * 5000 + "text" + "</div>" * 5000
    >>> flat = _flatten_deep_markup(deep, 100)
    >>> flat.count("<div>"), "text" in flat
    (100, True)
    """
    max_depth = min(max_depth, LXML_MAX_DEPTH)
    if html.count("<") < max_depth:
        return html
    depth = 0
    out: list[str] = []
    last = 0
    for m in _TOKEN.finditer(html):
        if m.group("opaque"):
            continue
        closing, name, selfclose = m.group("close"), m.group("name").lower(), m.group("self")
        if name in _VOID or name in _IMPLIED_END or selfclose:
            keep = depth < max_depth
        elif closing:
            keep = depth <= max_depth
            depth = max(0, depth - 1)
        else:
            depth += 1
            keep = depth <= max_depth
        if not keep:
            out.append(html[last:m.start()])
            last = m.end()
    out.append(html[last:])
    return "".join(out)


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = urlsplit(url).hostname
    return host.removeprefix("www.") if host else None
