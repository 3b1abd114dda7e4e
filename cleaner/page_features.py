"""What the page says of each line the extractor kept and each block it left out: the
evidence of the HTML path's second opinion (`cleaner.second_opinion`).

Every feature is a number; none reads a word of any language except through the
document's own stop list (jusText's, for the language the text shows).  DOM features come
from `cleaner.blocks`: the block's tag, its link density, the telling element it sits in
(only a small one: a wrapper holding most of the kept text tells nothing), its place among
the kept lines and how far it sits from the kept text on the page.
"""
from __future__ import annotations

import math

from .blocks import Block, Layout, Mark, squeezed
from .boilerplate.features import Body, detect_language, leading_tokens, measure, squeeze, stoplist, tokens
from .boilerplate.rules import matching_rule

MARK_GROUPS = {
    "navigation": "nav", "breadcrumb": "nav", "page-header": "nav", "footer": "nav", "form": "nav",
    "copyright": "nav",
    "share-widget": "widget", "social-widget": "widget", "newsletter": "widget", "cookie-notice": "widget",
    "advertisement": "widget", "comment-widget": "widget", "user-comment": "widget", "trending": "widget",
    "related-links": "widget",
    "tags": "tags", "caption": "caption", "photo-credit": "caption", "byline": "caption",
    "sidebar": "sidebar",
}
TAG_GROUPS = {"h1": "heading", "h2": "heading", "h3": "heading", "h4": "heading", "h5": "heading",
              "h6": "heading", "li": "item", "dt": "item", "dd": "item", "tr": "row", "td": "row", "th": "row",
              "table": "row", "caption": "caption", "figcaption": "caption", "figure": "caption",
              "blockquote": "quote", "p": "p"}
NAMES = ("bias", "log_chars", "link_density", "terminal", "stop_density", "colon_end", "digit_ratio",
         "heading", "item", "row", "caption_tag", "quote", "p_tag", "in_main",
         "mark_nav", "mark_widget", "mark_tags", "mark_caption", "mark_sidebar", "mark_kept_share",
         "position", "last", "first", "gap_before", "gap_after", "repeated", "rule", "long_prose",
         "kept_chars_after")


def language_stops(lines: list[str]) -> frozenset[str]:
    """The stop list of the language the lines show (empty when none is recognised)."""
    texts = [squeeze(t) for t in lines]
    return stoplist(detect_language(leading_tokens(texts)))


def small_marks(layout: Layout, marks: list[Mark]) -> tuple[list[float], list[float]]:
    """For each mark: the share of the page's kept text it holds, and the kept share of its own text."""
    kept, blocks = layout.kept, layout.blocks
    sizes = [len(b.text) for b in blocks]
    kept_chars = [k * s for k, s in zip(kept, sizes)]
    total = sum(kept_chars) or 1.0
    prefix_all, prefix_kept = [0.0], [0.0]
    for s, k in zip(sizes, kept_chars):
        prefix_all.append(prefix_all[-1] + s)
        prefix_kept.append(prefix_kept[-1] + k)
    holds, own = [], []
    for m in marks:
        inside = prefix_kept[m.end] - prefix_kept[m.first]
        size = prefix_all[m.end] - prefix_all[m.first]
        holds.append(inside / total)
        own.append(inside / size if size else 0.0)
    return holds, own


SMALL_MARK = 0.5
"""A mark holding less than this share of the kept text is a part of the page, not its frame."""


def block_vector(block: Block, text: str, marks: list[Mark], holds: list[float], own: list[float],
                 stops: frozenset[str]) -> list[float]:
    """The features of one block (or line) that do not depend on its neighbours."""
    body = Body.of(squeeze(text))
    f = measure(body, stops)
    chars = len(text)
    tag = TAG_GROUPS.get(block.tag, "other")
    mark = next((m for m in reversed(block.marks) if holds[m] < SMALL_MARK), None)
    group = MARK_GROUPS.get(marks[mark].reason) if mark is not None else None
    tail = text.rstrip()
    return [
        1.0,
        math.log1p(chars),
        block.link_chars / chars if chars else 0.0,
        float(f.terminal),
        f.stop_density,
        float(tail.endswith((":", "："))),
        f.digit_ratio,
        float(tag == "heading" or block.heading),
        float(tag == "item"),
        float(tag == "row"),
        float(tag == "caption"),
        float(tag == "quote"),
        float(tag == "p"),
        float(block.in_main),
        float(group == "nav"),
        float(group == "widget"),
        float(group == "tags"),
        float(group == "caption"),
        float(group == "sidebar"),
        own[mark] if mark is not None else 1.0,
    ]


def line_vectors(layout: Layout, marks: list[Mark], lines: list[str], stops: frozenset[str]) -> list[list[float] | None]:
    """The features of each kept line (None for a line not found on the page)."""
    holds, own = small_marks(layout, marks)
    blocks = layout.blocks
    counts: dict[str, int] = {}
    for b in blocks:
        key = squeezed(b.text)
        counts[key] = counts.get(key, 0) + 1
    n = len(lines)
    sizes = [len(line) for line in lines]
    total = sum(sizes) or 1
    after = total
    first_blocks = [bs[0] if bs else None for bs in layout.line_blocks]
    out: list[list[float] | None] = []
    previous_block = -1
    for i, line in enumerate(lines):
        after -= sizes[i]
        b = first_blocks[i]
        if b is None:
            out.append(None)
            continue
        block = blocks[b]
        vec = block_vector(block, line, marks, holds, own, stops)
        nxt = next((x for x in first_blocks[i + 1:] if x is not None), len(blocks))
        words = len(tokens(line))
        vec += [
            i / max(1, n - 1),
            float(i == n - 1),
            float(i == 0),
            math.log1p(max(0, b - previous_block - 1)),
            math.log1p(max(0, nxt - b - 1)),
            float(counts.get(squeezed(line), 0) > 1),
            float(matching_rule(squeeze(line)) is not None),
            float(words >= 25 and vec[3] > 0),
            after / total,
        ]
        previous_block = b
        out.append(vec)
    return out
