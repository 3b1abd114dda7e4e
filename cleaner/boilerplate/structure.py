"""Document structure: the headline and its repeats, caption fragments, repeated paragraphs,
tag lists.

Pure comparison functions over strings (with doctests) first, then the passes that apply
them to a Page and record reasons.
"""
from __future__ import annotations

import re
from collections import Counter

from cleaner.boilerplate import tail
from cleaner.boilerplate.context import Cls
from cleaner.boilerplate.features import WIDE, norm
from cleaner.boilerplate.headline import is_headline_repeat
from cleaner.boilerplate.page import Page
from cleaner.models import Verdict


def is_caption_fragment(text: str, neighbour: str) -> bool:
    """A short line that is a piece of a neighbouring longer line (an image caption or a
    link text rendered apart from the sentence it came from).

    >>> is_caption_fragment("University of Chicago’s", "Speaking at the University of Chicago’s Institute of Politics in January, he said.")
    True
    >>> is_caption_fragment("Chinese Foreign Ministry spokeswoman Mao Ning.", "“It was them,” said Chinese Foreign Ministry spokeswoman Mao Ning.")
    True
    >>> is_caption_fragment("Yes.", "Yes. We will.")
    False
    """
    a, b = norm(text), norm(neighbour)
    if not a or len(a.split()) < 2 or len(a.split()) > 14 or len(b) < len(a) + 12:
        return False
    return f" {a} " in f" {b} "


def _opens(text: str, following: str) -> bool:
    """`following` begins with the words of `text` (case aside)."""
    a, b = norm(text).casefold(), norm(following).casefold()
    return bool(a) and b.startswith(a + " ")


def shingle_set(key: str, n: int = 4) -> set[tuple[str, ...]]:
    words = key.split()
    return {tuple(words[i:i + n]) for i in range(max(1, len(words) - n + 1))}


FIELD = re.compile(r"^\W*([^\W\d][\w-]*(?: [\w-]+){0,2})\s?[:：]\s*\S")
SENDER_LABELS = frozenset({"from", "von", "de", "da", "od", "van", "från", "fra", "absender", "expéditeur",
                           "remitente", "remetente", "mittente", "nadawca", "发件人", "寄件者", "보낸 사람", "보낸사람"})
SUBJECT_LABELS = frozenset({"subject", "betreff", "asunto", "objet", "assunto", "oggetto", "temat", "onderwerp",
                            "ämne", "emne", "主题", "主旨", "件名", "제목"})


def email_header_lines(texts: list[str]) -> set[int]:
    """Lines of quoted e-mail headers: a run of "Label: value" lines, one of them the
    sender ("From:", "Von:", "De:") and one the subject ("Subject:", "Betreff:",
    "Asunto:").  They are part of the text that quotes the message, whatever a line rule
    would make of "Von: Name" alone.

    >>> sorted(email_header_lines(["Darin heißt es:", "Von: Verkehrsplanung", "Gesendet: Dienstag, 09:12",
    ...                            "Betreff: Los 3", "„Das ist nicht zu halten.“"]))
    [1, 2, 3]
    >>> email_header_lines(["Von: Anna Müller", "Datum: 12.03.2025", "Kategorie: Politik"])
    set()
    """
    found: set[int] = set()
    i, n = 0, len(texts)
    while i < n:
        j, labels = i, set()
        while j < n and (m := FIELD.match(texts[j])):
            labels.add(m.group(1).casefold())
            j += 1
        if j - i >= 2 and labels & SENDER_LABELS and labels & SUBJECT_LABELS:
            found.update(range(i, j))
        i = max(j, i + 1)
    return found


# --- passes over a page ------------------------------------------------------------------------

HEADLINE_LINES = 30
"""Lines with text above the article block among which its headline is looked for."""


def choose_headline(page: Page, start: int) -> int | None:
    """The headline of a text rendering: the title-like line before the article block that
    best matches the lead's vocabulary (earliest of its repeats)."""
    lead_words: set[str] | None = None  # made when a candidate needs them (most pages have none)
    opening: _Opening | None = None
    best, best_score = None, 0.0
    with_text = [k for k in range(start - 1, -1, -1) if page.feats[k].has_text][:HEADLINE_LINES]
    window = range(with_text[-1] if with_text else start, start)
    for i in window:
        text = page.texts[i]
        if not page.alive(i) or page.feats[i].bullet or not tail.title_like(text):
            continue
        words = tail.content_of(page.words(i), page.stops)
        if not words:
            continue
        if lead_words is None:
            lead_words = set().union(*(tail.content_of(page.words(k), page.stops)
                                       for k in range(start, min(len(page.texts), start + 4))
                                       if page.classes[k] >= Cls.NEAR))
        overlap = len(words & lead_words) / len(words)
        if not overlap:
            opening = opening or _Opening(page, start)
            if not opening.speaks_of(text, words):
                continue  # a headline names what its article is about
        score = overlap + 0.15 * (i - window.start) / max(1, len(window)) + 0.05
        if any(page.paras[j].reason in tail.STRONG_MARKS for j in range(i + 1, min(start, i + 4))):
            score += 0.15  # a headline is followed by its byline or date stamp
        if score > best_score:
            best, best_score = i, score
    if best is None and start < len(page.texts):
        # no headline before the block: the block may open with it
        text = page.texts[start]
        if tail.title_like(text) and page.classes[start] <= Cls.NEAR and start + 1 < len(page.texts):
            best = start
    if best is None:
        return None
    for j in range(0, best):  # earliest repeat of the chosen headline
        if page.alive(j) and is_headline_repeat(page.texts[j], page.texts[best]):
            return j
    return best


HEADLINE_STEM = 5
"""Letters of two words compared when asking whether a headline speaks of its article
("Truffles" / "truffle", "Elektron" / "Elektronen", "tramways" / "tram"), in any language."""


class _Opening:
    """The block's first `lines` prose lines, read once for every candidate headline: their
    text and the prefixes of their content words that `speaks_of` compares."""

    def __init__(self, page: Page, start: int, lines: int = 8) -> None:
        prose = [k for k in range(start, min(len(page.texts), start + 3 * lines))
                 if page.classes[k] >= Cls.NEAR][:lines]
        self.text = "".join(page.texts[k] for k in prose)
        words = {x for k in prose for x in tail.content_of(page.words(k), page.stops) if len(x) >= 4}
        self.stems = {x[:HEADLINE_STEM] for x in words if len(x) >= HEADLINE_STEM}
        self.heads = {x[:4] for x in words}  # a four-letter headline word may open a longer word
        self.short = {x for x in words if len(x) == 4}  # or a four-letter word open a longer one

    def speaks_of(self, text: str, words: set[str]) -> bool:
        """A word of the headline (its `words`) starts like a word of the opening: their first
        five letters, or four when one of them is that short; in Chinese or Japanese, written
        without spaces, two characters of the headline in a row are in the opening."""
        if WIDE.search(text):
            return any(text[i:i + 2] in self.text for i in range(len(text) - 1)
                       if WIDE.match(text[i]) and WIDE.match(text[i + 1]))
        return any((len(w) >= HEADLINE_STEM and w[:HEADLINE_STEM] in self.stems) or (len(w) == 4 and w in self.heads)
                   or (len(w) >= 4 and w[:4] in self.short) for w in words)


def mark_headline_repeats(page: Page, title: str, strict: bool = False) -> None:
    """Drop repeats of the headline; `strict` (extracted HTML) ignores near repeats, which
    there are usually the article's own subheadings."""
    threshold = 0.999 if strict else 0.88
    for i, p in enumerate(page.paras):
        if p.verdict is Verdict.KEEP and len(page.texts[i]) < 3 * len(title) + 40 \
                and is_headline_repeat(page.texts[i], title, threshold):
            page.drop(i, "repeated-headline")


def mark_reworded_headline(page: Page, title: str) -> None:
    """Extracted HTML often opens with the on-page headline while the metadata title is an
    SEO rewording of it: a headline-shaped line among the first ones that shares most of its
    content words with the title is a repeat too."""
    title_words = tail.content_words(title, page.stops)
    if len(title_words) < 3:
        return
    if any(p.reason == "repeated-headline" for p in page.paras[:4]):
        return  # the on-page headline is already accounted for
    live = [i for i in range(len(page.paras)) if page.alive(i)][:1]
    for i in live:
        text, f = page.texts[i], page.feats[i]
        if f.words > 25 or _ends_sentence(text) or not tail.title_like(text):
            continue
        words = tail.content_words(text, page.stops)
        shared = len(words & title_words)
        if shared >= 3 and shared / min(len(words), len(title_words)) >= 0.6:
            page.drop(i, "repeated-headline")
            return


CLOSERS = ")]}\"'”’»›」』"


def _ends_sentence(text: str) -> bool:
    """Ends with a full stop, comma or semicolon, also inside closing brackets or quotes
    ("... (Hier die Online-Version.)"): a sentence, not a headline.

    >>> _ends_sentence("Wien zitiert den Tweet. (Hier die Online-Version.)"), _ends_sentence("Talks resume (update)")
    (True, False)
    """
    return text.rstrip().rstrip(CLOSERS).endswith((".", ",", ";"))


def trim_before_headline(page: Page) -> None:
    """Extracted HTML that repeats the headline near its top: what comes before it is
    sidebar material the extractor swept in (but not a lead brought back on its own
    evidence, `restore.py`)."""
    for i in range(min(6, len(page.paras))):
        if page.paras[i].reason == "repeated-headline":
            for j in range(i):
                if page.paras[j].restored is None:
                    page.drop(j, "before-article")
            return


def mark_emphasised_captions(page: Page) -> None:
    """A short line set entirely in italics or bold, without a sentence ending, beside
    prose: an image caption or credit in extracted HTML."""
    for i, p in enumerate(page.paras):
        raw = p.text.strip()
        if not page.alive(i) or p.heading or not (raw.startswith(("*", "_")) and raw.endswith(("*", "_"))):
            continue
        f = page.feats[i]
        if f.words <= 15 and not page.texts[i].rstrip().endswith((".", "!", "?", ":", "”", '"')):
            page.drop(i, "caption")


LINK_LINE = re.compile(r"^\s*<u>[^<]{1,160}</u>\s*$")


def mark_link_lists(page: Page, min_run: int = 2) -> None:
    """Consecutive lines that are each one underlined link (as an HTML extractor renders a
    list of links): a related-links list."""
    i, n = 0, len(page.paras)
    while i < n:
        j = i
        while j < n and LINK_LINE.match(page.paras[j].text):
            j += 1
        if j - i >= min_run:
            for k in range(i, j):
                page.drop(k, "related-links")
        i = max(j, i + 1)


TAG_HEADINGS = frozenset({"tags", "tag", "topics", "tópicos", "temas", "assuntos", "categorias", "categories",
                          "palavras chave", "keywords", "etiquetas", "schlagworte", "mots clés"})


def mark_tag_lists(page: Page, lo: int, hi: int) -> None:
    """The line after a "Tags" heading, when it is a list of keywords."""
    for i in range(lo, hi - 1):
        if page.paras[i].verdict is Verdict.DROP and norm(page.texts[i]) in TAG_HEADINGS:
            j = i + 1
            text = page.texts[j]
            if page.alive(j) and not page.feats[j].terminal and (text.count(",") >= 2 or page.feats[j].words <= 6):
                page.drop(j, "tags")


SECTIONS = 3
"""Subheadings that are no fragment of a neighbour which make the block an article of
sections: there, a subheading-shaped line whose words recur in its paragraph is one more."""


def mark_captions(page: Page, lo: int, hi: int) -> None:
    """Short lines that repeat a piece of a neighbouring line (`is_caption_fragment`).  A
    line whose words open a line below it is a subheading that its section restates
    ("The al-Tanf base" / ... / "The al-Tanf base lies ..."), not a fragment; so is a
    subheading-shaped line (`_between_prose`) in a block with SECTIONS or more such
    lines that are no fragments ("Os prazos" / ... / "IRS automático" / "O número de
    contribuintes abrangidos pelo IRS automático ...")."""
    def fragment(i: int) -> bool:
        return any(lo <= j < hi and is_caption_fragment(page.texts[i], page.texts[j])
                   for j in (i - 1, i + 1, i - 2, i + 2))

    found = [i for i in range(lo, hi) if page.alive(i) and page.feats[i].words <= 14
             and not any(_opens(page.texts[i], page.texts[k]) for k in range(i + 1, min(hi, i + 3)))
             and fragment(i)]
    if not found:
        return
    heads = [i for i in range(lo, hi) if _between_prose(page, i, lo, hi)]
    sectioned = len(set(heads) - set(found)) >= SECTIONS
    for i in found:
        if not (sectioned and i in heads):
            page.drop(i, "caption")


def _between_prose(page: Page, i: int, lo: int, hi: int) -> bool:
    """A short live line without a sentence ending, not a list item, whose neighbours in
    the block are prose: the shape of a subheading."""
    f = page.feats[i]
    return (lo < i < hi - 1 and page.alive(i) and f.has_text and not f.terminal and not f.bullet
            and f.words <= 14 and page.classes[i - 1] >= Cls.NEAR and page.classes[i + 1] >= Cls.NEAR)


def mark_repeated_paragraphs(page: Page, lo: int, hi: int) -> None:
    """A standfirst shown above the article's header block and again in the body: drop the
    first copy.  Pull quotes repeated inside the body stay (the article shows them twice)."""
    header = [i for i in range(lo, hi) if page.paras[i].reason in HEADER_REASONS]
    if not header:
        return
    last_header = header[-1]
    owners: dict[tuple[str, ...], list[int]] = {}
    sets: dict[int, set[tuple[str, ...]]] = {}
    for i in range(lo, hi):
        if page.alive(i) and page.feats[i].words >= 10:
            sets[i] = shingle_set(norm(page.texts[i]))
            for sh in sets[i]:
                owners.setdefault(sh, []).append(i)
    for i, si in sets.items():
        if i > last_header:
            break
        shared: Counter[int] = Counter(j for sh in si for j in owners[sh] if j > i)
        for j, common in shared.most_common(3):
            between = any(i < h < j for h in header)
            if between and common / len(si) >= 0.5:
                page.drop(i, "repeated-paragraph")
                break


HEADER_REASONS = frozenset({"repeated-headline", "dateline-metadata", "byline", "reading-time"})
