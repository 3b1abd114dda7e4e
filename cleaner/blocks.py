"""An HTML page as its visible text blocks, in page order, with what the markup says of each.

trafilatura chooses the main text; this module does not re-implement that choice.  It lists
the blocks a reader sees (paragraphs, headings, list items, table rows, captions, and any
other run of text between block-level tags or line breaks), aligns the extractor's output
lines with them, and so finds every block the extractor left out.  Each such block gets the
reason its markup gives (`nav` and role=navigation -> navigation, a `footer` -> footer, a
class or id word such as "share", "related" or "comment", ...), else the text rules'
reason, else `outside-main-text`.

    found, marks = page_blocks(tree)        # before the extractor runs (it changes the tree)
    layout = align(found, lines, title)     # which blocks each output line came from
    left_out(layout, marks, rule_reason)    # (text, reason, line it precedes) of the others

Alignment compares text with whitespace (and table-cell bars) taken out, so it does not
depend on how the extractor joins inline elements, and works the same for scripts written
without spaces.
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "title", "meta", "link", "svg",
                     "math", "canvas", "iframe", "object", "embed", "select", "datalist", "option",
                     "textarea", "audio", "video", "picture", "source", "map"})
"""Elements whose text a reader never sees as page text."""
BLOCK_LEVEL = frozenset({"html", "body", "p", "div", "section", "article", "main", "header", "footer", "nav",
                         "aside", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd",
                         "table", "thead", "tbody", "tfoot", "tr", "caption", "figure", "figcaption",
                         "blockquote", "pre", "address", "form", "fieldset", "legend", "hr", "details",
                         "summary", "dialog", "menu", "center", "hgroup", "search", "frameset", "noframes"})
"""Tags that start and end a block; any other element's text runs on in its block."""
CELLS = frozenset({"td", "th"})
MAIN = frozenset({"article", "main"})
SPECIAL = frozenset({"a", "td", "th", "article", "main"})
"""Inline elements that change what their text is (a link, a cell, the main text)."""
HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})

# Markup that says what a part of the page is: tags, ARIA roles, then class and id words.
TAG_REASONS = {"nav": "navigation", "footer": "footer", "aside": "sidebar", "form": "form",
               "figcaption": "caption", "caption": "caption", "menu": "navigation", "search": "form",
               "dialog": "sidebar"}
ROLE_REASONS = {"navigation": "navigation", "menubar": "navigation", "menu": "navigation",
                "contentinfo": "footer", "complementary": "sidebar", "search": "form", "form": "form",
                "banner": "page-header", "dialog": "sidebar", "alertdialog": "sidebar", "tablist": "navigation"}
WORD_REASONS = {
    # a word of a class or id value (`_word_reason` splits them) -> reason
    "nav": "navigation", "navbar": "navigation", "navigation": "navigation", "menu": "navigation",
    "menubar": "navigation", "megamenu": "navigation", "topbar": "navigation", "pagination": "navigation",
    "pager": "navigation", "skip": "navigation",
    "breadcrumb": "breadcrumb", "breadcrumbs": "breadcrumb", "crumbs": "breadcrumb",
    "footer": "footer", "foot": "footer", "colophon": "footer", "copyright": "copyright",
    "header": "page-header", "masthead": "page-header", "topnav": "navigation",
    "sidebar": "sidebar", "aside": "sidebar", "widget": "sidebar", "rail": "sidebar",
    "related": "related-links", "relacionadas": "related-links", "relacionados": "related-links",
    "recommended": "related-links", "recommendations": "related-links", "readmore": "related-links",
    "share": "share-widget", "sharing": "share-widget", "sharebar": "share-widget", "social": "social-widget",
    "socials": "social-widget", "follow": "social-widget", "teilen": "share-widget", "partage": "share-widget",
    "compartir": "share-widget", "compartilhar": "share-widget",
    "newsletter": "newsletter", "subscribe": "newsletter", "subscription": "newsletter", "signup": "newsletter",
    "cookie": "cookie-notice", "cookies": "cookie-notice", "consent": "cookie-notice", "gdpr": "cookie-notice",
    "comment": "user-comment", "comments": "user-comment", "commentlist": "user-comment", "disqus": "user-comment",
    "respond": "comment-widget", "reply": "comment-widget", "kommentare": "user-comment",
    "commentaires": "user-comment", "comentarios": "user-comment", "comentários": "user-comment",
    "ad": "advertisement", "ads": "advertisement", "advert": "advertisement", "advertisement": "advertisement",
    "adslot": "advertisement", "sponsored": "advertisement", "promo": "advertisement", "banner": "advertisement",
    "anzeige": "advertisement", "publicidad": "advertisement", "publicite": "advertisement",
    "caption": "caption", "figcaption": "caption", "credit": "photo-credit", "credits": "photo-credit",
    "tags": "tags", "tag": "tags", "tagcloud": "tags", "keywords": "tags",
    "byline": "byline", "author": "byline",
    "trending": "trending", "popular": "trending", "mostread": "trending",
    "modal": "sidebar", "popup": "sidebar", "overlay": "sidebar",
}
_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_SPLIT = re.compile(r"[^a-z0-9áéíóúàèêçãõüöäß]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_UNSEEN = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "|")
"""What alignment ignores besides whitespace: invisible marks, soft hyphens, table-cell bars."""


@dataclass(slots=True)
class Block:
    """One visible block of text and what the markup says of it."""

    text: str  # whitespace runs squeezed to one space
    tag: str  # the block-level element holding it ("br" ends a line inside one)
    marker: str | None  # the reason the nearest telling ancestor gives (TAG/ROLE/WORD_REASONS)
    marks: tuple[int, ...]  # the telling ancestors (`Mark`s), outermost first
    link_chars: int  # characters inside links
    in_main: bool  # inside article, main or role=main
    heading: bool
    hidden: bool  # inside an element hidden by attribute or inline style
    container: tuple[str, str] | None = None  # a <p>'s parent: its tag and class (when it has one)


@dataclass(slots=True)
class Mark:
    """An element whose markup tells what it is, and the blocks it holds: [first, end)."""

    reason: str
    tag: str
    first: int
    end: int = -1


_Frame = tuple
"""What a block inherits from the elements around it, as a tuple (made for most elements:
a tuple is made without a Python call): (block-level tag, marker, marks, in_main, link,
hidden, heading), read by the `_TAG`... indexes."""
_TAG, _MARKER, _MARKS, _IN_MAIN, _LINK, _HIDDEN, _HEADING = range(7)


@functools.lru_cache(maxsize=8192)
def _word_reason(value: str) -> str | None:
    """The reason the first telling word of a class or id value gives (values repeat within
    a page and across a site's pages: cached).  Most values are in lower case already: no
    camelCase to split, nothing to lower (str.lower changes only upper and title case)."""
    words = _SPLIT.split(value if value.islower() else _CAMEL.sub(" ", value).lower())
    return next(filter(None, map(WORD_REASONS.get, words)), None)


def marker_of(tag: str, attrs: dict[str, str]) -> str | None:
    """The reason an element's own markup (tag, ARIA role, class and id words) gives, or None.

    >>> marker_of("div", {"class": "post-share sharebar"}), marker_of("nav", {})
    ('share-widget', 'navigation')
    >>> marker_of("div", {"id": "relatedPosts"}), marker_of("div", {"class": "headline"}) is None
    ('related-links', True)
    """
    return _marker(tag, attrs.get("role"), attrs.get("class"), attrs.get("id"))


def _marker(tag: str, role: str | None, cls: str | None, ident: str | None) -> str | None:
    """`marker_of` given the three attributes it reads."""
    by_tag = TAG_REASONS.get(tag) or ("page-header" if tag == "header" else None)
    if by_tag and by_tag not in WEAK_MARKS:
        return by_tag
    if role:
        reason = ROLE_REASONS.get(role.strip().lower())
        if reason and reason not in WEAK_MARKS:
            return reason
        by_tag = by_tag or reason
    for value in (cls, ident):
        if value:
            reason = _word_reason(value)
            if reason and (reason not in WEAK_MARKS or not by_tag):
                return reason
    return by_tag


def _hidden(attrs: dict[str, str]) -> bool:
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


class _Walk:
    """One pass over a tree, gathering blocks; each element's proxy is made once (lxml.html
    looks its class up in Python for every proxy)."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.marks: list[Mark] = []
        self.pieces: list[str] = []
        self.link_chars = 0
        self.first: _Frame | None = None  # the frame the block's first text came from

    def add(self, text: str, frame: _Frame) -> None:
        """`text` runs on in the current block (`children` writes this out for speed)."""
        if self.first is None:
            if text.isspace():
                return
            self.first = frame
        self.pieces.append(text)
        if frame[_LINK]:
            self.link_chars += len(text)

    def flush(self, tag: str) -> None:
        first = self.first
        if first is not None:
            text = " ".join("".join(self.pieces).split())
            if text:
                self.blocks.append(Block(text, tag, first[_MARKER], first[_MARKS], min(self.link_chars, len(text)),
                                         first[_IN_MAIN], first[_HEADING], first[_HIDDEN]))
            self.first = None
        self.pieces.clear()
        self.link_chars = 0

    def children(self, el, frame: _Frame) -> None:
        # This runs for every element: `add`, `_hidden` and `marker_of` are written out on the
        # attribute names, and the frames are tuples.
        pieces = self.pieces
        link = frame[_LINK]
        container: tuple[str, str] | tuple[()] | None = None  # `el`'s, for the paragraphs under it
        for child in el:
            tag = child.tag
            if type(tag) is not str or tag in SKIPPED:  # comments, scripts...: only the tail shows
                tail = child.tail
                if tail:
                    if self.first is None:
                        if tail.isspace():
                            continue
                        self.first = frame
                    pieces.append(tail)
                    if link:
                        self.link_chars += len(tail)
                continue
            tag = tag.lower()  # already so, except in XML-like markup the parser kept as written
            block = tag in BLOCK_LEVEL
            if block or tag == "br":
                if self.first is not None or pieces:
                    self.flush(frame[_TAG])
            elif tag in CELLS and pieces:
                pieces.append(" ")
            names = child.keys()  # the names alone: values are read only for the six that tell
            if names:
                get = child.get
                role = get("role") if "role" in names else None
                cls = get("class") if "class" in names else None
                ident = get("id") if "id" in names else None
                if role or tag in _TAG_MARKER:
                    own = _marker(tag, role, cls, ident)
                else:  # `_marker` of an element neither its tag nor a role names
                    own = (_word_reason(cls) if cls else None) or (_word_reason(ident) if ident else None)
                style = get("style") if "style" in names else None
                hidden = ("hidden" in names or ("aria-hidden" in names and get("aria-hidden") == "true")
                          or (bool(style) and _HIDDEN_STYLE.search(style) is not None))
                main_role = role == "main"
            else:
                own = _TAG_MARKER.get(tag) if block else None  # every tag that names is block-level
                hidden = main_role = False
            if block or own or hidden or main_role or tag in SPECIAL:
                chain = frame[_MARKS]
                if own:
                    chain = (*chain, len(self.marks))
                    mark = Mark(own, tag, len(self.blocks))
                    self.marks.append(mark)
                inner = (tag if block or tag in CELLS else frame[_TAG], own or frame[_MARKER], chain,
                         frame[_IN_MAIN] or tag in MAIN or main_role, link or tag == "a", frame[_HIDDEN] or hidden,
                         frame[_HEADING] or tag in HEADINGS)
            else:
                inner = frame
            text = child.text
            if text:
                if self.first is None and not text.isspace():
                    self.first = inner
                if self.first is not None:
                    pieces.append(text)
                    if inner[_LINK]:
                        self.link_chars += len(text)
            if len(child):
                self.children(child, inner)
            if block and (self.first is not None or pieces):
                count = len(self.blocks)
                self.flush(tag)
                if tag == "p" and len(self.blocks) > count:
                    if container is None:  # read once per parent, and only for a paragraph's
                        cls = el.get("class")
                        container = (el.tag, cls) if cls else ()
                    if container:
                        self.blocks[-1].container = container
            if own:
                mark.end = len(self.blocks) + (self.first is not None)
            tail = child.tail
            if tail:
                if self.first is None and not tail.isspace():
                    self.first = frame
                if self.first is not None:
                    pieces.append(tail)
                    if link:
                        self.link_chars += len(tail)


_TAG_MARKER = {**TAG_REASONS, "header": "page-header"}
"""The reason a tag alone gives (`marker_of` of an element without attributes)."""


def page_blocks(root) -> tuple[list[Block], list[Mark]]:
    """The visible text blocks under `root` (an lxml HTML tree), in page order, and the
    telling elements (`Mark`s) they sit in."""
    walk = _Walk()
    frame: _Frame = ("#root", None, (), False, False, False, False)
    walk.children(root, frame)  # the root is <html>: no text of its own
    walk.flush("#root")
    for mark in walk.marks:
        mark.end = min(mark.end, len(walk.blocks)) if mark.end >= 0 else len(walk.blocks)
    return walk.blocks, walk.marks


def squeezed(text: str) -> str:
    """`text` as alignment compares it.

    >>> squeezed("A  b\\u00a0| c\\u00ad")
    'Abc'
    """
    text = "".join(text.split())  # str.split splits where a regular expression's \s matches
    for mark in _UNSEEN:
        if mark in text:
            text = text.replace(mark, "")
    return text


def _squeezed_all(texts: list[str]) -> list[str]:
    """`squeezed` of each text, in one pass over them all joined by NUL (which the
    squeezing keeps and no lxml text holds), else one by one.

    >>> _squeezed_all(["a b", "", " c|d "])
    ['ab', '', 'cd']
    """
    joined = "\0".join(texts)
    if joined.count("\0") != max(0, len(texts) - 1):
        return [squeezed(t) for t in texts]
    return squeezed(joined).split("\0") if texts else []


@dataclass
class Layout:
    """How the extractor's lines sit on the page's blocks.

    `kept[b]` is the share of block b's characters that the extractor's output covers;
    `line_at[i]` is the position (in the page's squeezed text) where line i was found, or
    -1; `title_block` is the block that shows the document's title, if one does."""

    blocks: list[Block]
    starts: list[int]  # of each block in the squeezed page text
    covered: list[tuple[int, int]]  # (start, end) spans of the squeezed page text the lines cover
    line_at: list[int]
    line_blocks: list[list[int]]  # blocks each line covers
    title_block: int | None = None
    kept: list[float] = field(default_factory=list)


def align(blocks: list[Block], lines: list[str], title: str | None) -> Layout:
    """Find each output line in the page's blocks, in order (a line not found after the
    previous one is looked for from the start; one still not found is matched piece by piece,
    its longest prefixes first)."""
    texts = _squeezed_all([b.text for b in blocks])
    starts, at = [], 0
    for t in texts:
        starts.append(at)
        at += len(t)
    page = "".join(texts)
    covered: list[tuple[int, int]] = []
    line_at: list[int] = []
    cursor = 0
    targets = _squeezed_all(lines)
    for target in targets:
        if not target:
            line_at.append(-1)
            continue
        pos = page.find(target, cursor)
        if pos < 0:
            pos = page.find(target)
        if pos >= 0:
            covered.append((pos, pos + len(target)))
            line_at.append(pos)
            cursor = pos + len(target)
            continue
        spans = _pieces(page, target, cursor)
        covered.extend(spans)
        line_at.append(spans[0][0] if spans else -1)
        if spans:
            cursor = max(cursor, spans[-1][1])
    kept = _coverage(starts, [len(t) for t in texts], covered)
    layout = Layout(blocks, starts, covered, line_at, _line_blocks(starts, texts, line_at, targets), None, kept)
    if title:
        layout.title_block = _title_block(texts, squeezed(title), kept)
    return layout


MIN_PIECE = 12
"""Shortest piece of an unmatched line that is looked for on its own (shorter ones match by chance)."""


def _pieces(page: str, target: str, cursor: int) -> list[tuple[int, int]]:
    """Spans of `page` covering `target` piece by piece: at each step the longest prefix of
    what is left that occurs in the page (after `cursor` when it can), by bisection."""
    spans: list[tuple[int, int]] = []
    rest = target
    while len(rest) >= MIN_PIECE:
        lo, hi, best = MIN_PIECE, len(rest), None
        while lo <= hi:
            mid = (lo + hi) // 2
            pos = page.find(rest[:mid], cursor)
            if pos < 0:
                pos = page.find(rest[:mid])
            if pos >= 0:
                best = (pos, mid)
                lo = mid + 1
            else:
                hi = mid - 1
        if best is None:
            rest = rest[1:]
            continue
        pos, size = best
        spans.append((pos, pos + size))
        cursor = pos + size
        rest = rest[size:]
    return spans


def _coverage(starts: list[int], sizes: list[int], covered: list[tuple[int, int]]) -> list[float]:
    """The share of each block's characters inside the covered spans."""
    marks = [0] * len(starts)
    if not covered:
        return [0.0] * len(starts)
    for lo, hi in covered:
        b = bisect.bisect_right(starts, lo) - 1
        while b < len(starts) and starts[b] < hi:
            overlap = min(hi, starts[b] + sizes[b]) - max(lo, starts[b])
            if overlap > 0:
                marks[b] += overlap
            b += 1
    return [min(1.0, m / s) if s else 0.0 for m, s in zip(marks, sizes)]


def _line_blocks(starts, texts, line_at, targets) -> list[list[int]]:
    out = []
    for pos, target in zip(line_at, targets):
        if pos < 0:
            out.append([])
            continue
        end = pos + len(target)
        b = max(0, bisect.bisect_right(starts, pos) - 1)
        found = []
        while b < len(starts) and starts[b] < end:
            if starts[b] + len(texts[b]) > pos:
                found.append(b)
            b += 1
        out.append(found)
    return out


def _title_block(texts: list[str], title: str, kept: list[float]) -> int | None:
    """The block showing the title: the first one equal to it, else the first heading-sized
    block it contains (sites append " | Site name" to the title)."""
    if not title:
        return None
    for b, t in enumerate(texts):
        if t == title:
            return b
    for b, t in enumerate(texts):
        if len(t) >= 10 and len(t) >= 0.5 * len(title) and t in title:
            return b
    return None


GENERIC = "outside-main-text"
"""The reason of a left-out block that neither its markup nor a text rule names."""
HIDDEN = "hidden"
"""The reason of a left-out block inside an element hidden by its attributes or inline style."""
WEAK_MARKS = frozenset({"page-header", "sidebar", "form", "tags", "byline"})
"""Marks that name large, mixed regions: a text rule's reason goes first."""
KEPT_SHARE = 0.5
"""A block is kept when the extractor's output covers at least this share of its text."""


def left_out(layout: Layout, marks: list[Mark], name_by_rule) -> list[tuple[str, str, int]]:
    """(text, reason, line it precedes) of every block the extractor left out or kept only in
    part, in page order (so no visible text is lost).

    A mark names a block only when the marked element holds nothing the extractor kept (a
    `class="post tag-news"` wrapper around the article names nothing); `name_by_rule(text)`
    is the text rules' reason or None."""
    blocks, kept, starts = layout.blocks, layout.kept, layout.starts
    kept_before = [0]  # blocks kept before each block
    for share in kept:
        kept_before.append(kept_before[-1] + (share >= KEPT_SHARE))
    kept_in_mark = [kept_before[mark.end] > kept_before[mark.first] for mark in marks]
    running, last = [], -1
    for pos in layout.line_at:
        last = max(last, pos)
        running.append(last)
    out = []
    for b, block in enumerate(blocks):
        if b == layout.title_block or kept[b] == 1.0:
            continue
        text = block.text
        if kept[b] >= KEPT_SHARE and not _uncovered(layout, b):
            continue  # what the output lacks of it is spacing and punctuation
        # a block kept in part is shown whole: which part the extractor kept is not always
        # certain (a line found only piece by piece), and so none of it is lost
        reason = None
        if block.hidden:
            reason = HIDDEN
        named = [marks[m].reason for m in reversed(block.marks) if not kept_in_mark[m]]
        if reason is None:  # the nearest telling element, unless only large mixed regions tell
            reason = next((r for r in named if r not in WEAK_MARKS), None)
        if reason is None:
            reason = name_by_rule(text) or (named[0] if named else GENERIC)
        out.append((text, reason, bisect.bisect_right(running, starts[b])))
    return out


_SHOWN = re.compile(r"[^\s\u200b\u200c\u200d\u2060\ufeff\u00ad|]")


def _uncovered(layout: Layout, b: int) -> str:
    """The text of block b that no output line covers ("" when that is only punctuation)."""
    start = layout.starts[b]
    text = layout.blocks[b].text
    shown = [m.start() for m in _SHOWN.finditer(text)]  # squeezed position -> index in text
    covered = bytearray(len(shown))
    for lo, hi in layout.covered:
        lo, hi = max(lo, start) - start, min(hi, start + len(shown)) - start
        if lo < hi:
            covered[lo:hi] = b"\x01" * (hi - lo)
    runs, i = [], 0
    while i < len(shown):
        if covered[i]:
            i += 1
            continue
        j = i
        while j < len(shown) and not covered[j]:
            j += 1
        runs.append(text[shown[i]:shown[j - 1] + 1])
        i = j
    rest = " ".join(runs)
    return rest if any(ch.isalnum() for ch in rest) else ""
