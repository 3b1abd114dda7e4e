"""The per-document pass: evidence, rules, article block, headline, structure, tail, context.

Order matters because the first recorded reason wins: specific rules name a line before
the generic block decisions (`before-article`, `after-article`, `short-fragment`) do.
"""
from __future__ import annotations

import functools
import re
from statistics import median
from collections import Counter
from dataclasses import dataclass, field

from cleaner.boilerplate import structure, tail
from cleaner.boilerplate.context import Cls, densest_run, line_class, line_score, short_line_keeps, stop_thresholds
from cleaner.boilerplate.features import Features, detect_language, features, norm, stoplist, tokens, visible
from cleaner.boilerplate.rules import matching_rule
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Paragraph, Verdict


@functools.lru_cache(maxsize=64)
def _user_patterns(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


@dataclass
class Page:
    """Working state for one document (kept out of the Paragraph records)."""

    paras: list[Paragraph]
    texts: list[str]
    feats: list[Features]
    classes: list[Cls]
    stops: frozenset[str]
    language: str | None
    disabled: frozenset[str]
    counts: Counter[str]
    table_rows: set[int] = field(default_factory=set)

    def drop(self, i: int, reason: str) -> bool:
        if reason in self.disabled:
            return False
        return self.paras[i].drop(reason)

    def alive(self, i: int) -> bool:
        return self.paras[i].verdict is Verdict.KEEP


def build_page(doc: Document, config: BoilerplateConfig) -> Page:
    texts = [visible(p.text) for p in doc.paragraphs]
    language = detect_language(tokens(" ".join(texts)))
    stops = stoplist(language)
    feats = [features(p.text, stops) for p in doc.paragraphs]
    low, high = stop_thresholds(feats, language is not None)
    classes = [line_class(f, low, high) for f in feats]
    return Page(doc.paragraphs, texts, feats, classes, stops, language, frozenset(config.disabled_rules),
                Counter(texts))


def classify_document(doc: Document, config: BoilerplateConfig) -> None:
    if not doc.paragraphs:
        return
    page = build_page(doc, config)
    n = len(page.paras)
    patterns = _user_patterns(tuple(config.extra_patterns))
    rule_hit: list[str | None] = [None] * n
    for i, (p, text) in enumerate(zip(page.paras, page.texts)):
        if p.verdict is not Verdict.KEEP:
            continue
        if not page.feats[i].has_text:
            page.drop(i, "no-text")
            continue
        if any(rx.fullmatch(text) or rx.fullmatch(p.text.strip()) for rx in patterns):
            rule_hit[i] = "user-pattern" if page.drop(i, "user-pattern") else None
            continue
        reason = matching_rule(text, page.disabled)
        if reason:
            rule_hit[i] = reason if page.drop(i, reason) else None

    if doc.format == "text":
        scores = [line_score(c, f, d) for c, f, d in zip(page.classes, page.feats, rule_hit)]
        _score_table_runs(page, scores, rule_hit)
        end = _comments_start(scores, rule_hit)
        lo, hi = densest_run(scores[:end])
        if hi == 0:
            lo, hi = 0, n
        lo, hi = _extend_block(page, lo, hi, end)
        title_at = _choose_headline(page, lo)
        if title_at is not None:
            page.paras[title_at].verdict = Verdict.TITLE
            page.paras[title_at].reason = None
            doc.title = page.paras[title_at].text.strip()
            _mark_headline_repeats(page, doc.title)
        lead = _lead_between(page, title_at, lo) if title_at is not None else set()
        for i in range(0, lo):
            if i not in lead:
                page.drop(i, "before-article")
        for i in range(hi, n):
            page.drop(i, "after-article")
    else:
        lo, hi = 0, n
    if doc.title:
        _mark_headline_repeats(page, doc.title, strict=doc.format != "text")
    if doc.format != "text":
        _trim_before_headline(page)
        _mark_emphasised_captions(page)
    _mark_tag_lists(page, lo, hi)
    if doc.format == "text":
        # in extracted HTML a short line inside a neighbour is a subheading, and a repeated
        # paragraph is usually the page's own (the article body keeps both copies)
        _mark_captions(page, lo, hi)
    _mark_teasers(page, lo, hi)
    _mark_appended_story(page, doc.title, lo, hi)
    _mark_teaser_run(page, doc.title, lo, hi)
    if doc.format == "text":
        _mark_repeated_paragraphs(page, lo, hi)
    if doc.format == "text":
        _context_pass(page, lo, hi)


DIGIT = re.compile(r"\d")


def _score_table_runs(page: Page, scores: list[float], rule_hit: list[str | None], min_run: int = 4) -> None:
    """Runs of short, unbulleted lines with figures (results, calendars, tables) are content
    that prose statistics miss: score them mildly positive."""
    def row(i: int) -> bool:
        f = page.feats[i]
        return (rule_hit[i] is None and f.has_text and not f.bullet and page.classes[i] <= Cls.NEAR
                and 2 <= f.words <= 40 and bool(DIGIT.search(page.texts[i])))

    i, n = 0, len(scores)
    while i < n:
        j = i
        while j < n and row(j):
            j += 1
        if j - i >= min_run:
            for k in range(i, j):
                scores[k] = max(scores[k], 2.0)
                page.table_rows.add(k)
        i = max(j, i + 1)


def _sentence_line(page: Page, i: int, min_words: int) -> bool:
    """A full sentence said once on the page (repeated lines are gallery captions and widgets)."""
    f = page.feats[i]
    return (page.alive(i) and not f.bullet and f.terminal and f.words >= min_words
            and not tail.is_truncated(page.texts[i]) and page.counts[page.texts[i]] == 1)


def _extend_block(page: Page, lo: int, hi: int, end: int) -> tuple[int, int]:
    """Grow the block over adjacent full sentences that the stop-word evidence undersold
    (terse sports or finance prose); growth stops at the first non-sentence."""
    while lo > 0 and _sentence_line(page, lo - 1, 8):
        lo -= 1
    while hi < end and _sentence_line(page, hi, 6):
        hi += 1
    return lo, hi


def _lead_between(page: Page, title_at: int, lo: int) -> set[int]:
    """Prose between the headline and the block (a lead set apart by the byline box)."""
    return {i for i in range(title_at + 1, lo)
            if page.alive(i) and not page.feats[i].bullet and page.counts[page.texts[i]] == 1
            and (page.classes[i] >= Cls.NEAR or _sentence_line(page, i, 10))}


def _comments_start(scores: list[float], rule_hit: list[str | None]) -> int:
    """Index of the first reader-comment header once some prose came before it (else the end):
    the article does not continue into its comment thread."""
    prose = 0.0
    for i, (score, reason) in enumerate(zip(scores, rule_hit)):
        if reason == "user-comment" and prose >= 30:
            return i
        prose += max(0.0, score)
    return len(scores)


def _choose_headline(page: Page, start: int) -> int | None:
    """The headline of a text rendering: the title-like line before the article block that
    best matches the lead's vocabulary (earliest of its repeats)."""
    lead = " ".join(page.texts[i] for i in range(start, min(len(page.texts), start + 4))
                    if page.classes[i] >= Cls.NEAR)
    lead_words = tail.content_words(lead, page.stops)
    best, best_score = None, 0.0
    window = range(max(0, start - 20), start)
    for i in window:
        text = page.texts[i]
        if not page.alive(i) or page.feats[i].bullet or not tail.title_like(text) or len(text.split()) < 3:
            continue
        words = tail.content_words(text, page.stops)
        if not words:
            continue
        overlap = len(words & lead_words) / len(words)
        score = overlap + 0.15 * (i - window.start) / max(1, len(window)) + 0.05
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
        if page.alive(j) and structure.is_headline_repeat(page.texts[j], page.texts[best]):
            return j
    return best


def _mark_headline_repeats(page: Page, title: str, strict: bool = False) -> None:
    """Drop repeats of the headline; `strict` (extracted HTML) ignores near repeats, which
    there are usually the article's own subheadings."""
    threshold = 0.999 if strict else 0.88
    for i, p in enumerate(page.paras):
        if p.verdict is Verdict.KEEP and len(page.texts[i]) < 3 * len(title) + 40 \
                and structure.is_headline_repeat(page.texts[i], title, threshold):
            page.drop(i, "repeated-headline")


def _trim_before_headline(page: Page) -> None:
    """Extracted HTML that repeats the headline near its top: what comes before it is
    sidebar material the extractor swept in."""
    for i in range(min(6, len(page.paras))):
        if page.paras[i].reason == "repeated-headline":
            for j in range(i):
                page.drop(j, "before-article")
            return


def _mark_emphasised_captions(page: Page) -> None:
    """A short line set entirely in italics or bold, without a sentence ending, beside
    prose: an image caption or credit in extracted HTML."""
    for i, p in enumerate(page.paras):
        raw = p.text.strip()
        if not page.alive(i) or p.heading or not (raw.startswith(("*", "_")) and raw.endswith(("*", "_"))):
            continue
        f = page.feats[i]
        if f.words <= 15 and not page.texts[i].rstrip().endswith((".", "!", "?", ":", "”", '"')):
            page.drop(i, "caption")


TAG_HEADINGS = frozenset({"tags", "tag", "topics", "tópicos", "temas", "assuntos", "categorias", "categories",
                          "palavras chave", "keywords", "etiquetas", "schlagworte", "mots clés"})


def _mark_tag_lists(page: Page, lo: int, hi: int) -> None:
    """The line after a "Tags" heading, when it is a list of keywords."""
    for i in range(lo, hi - 1):
        if norm(page.texts[i]) in TAG_HEADINGS and page.paras[i].verdict is Verdict.DROP:
            j = i + 1
            text = page.texts[j]
            if page.alive(j) and not page.feats[j].terminal and (text.count(",") >= 2 or page.feats[j].words <= 6):
                page.drop(j, "tags")


def _mark_captions(page: Page, lo: int, hi: int) -> None:
    for i in range(lo, hi):
        if not page.alive(i) or page.feats[i].words > 14:
            continue
        for j in (i - 1, i + 1, i - 2, i + 2):
            if lo <= j < hi and j != i and structure.is_caption_fragment(page.texts[i], page.texts[j]):
                page.drop(i, "caption")
                break


def _mark_repeated_paragraphs(page: Page, lo: int, hi: int) -> None:
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
            sets[i] = structure.shingle_set(norm(page.texts[i]))
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


def _mark_teasers(page: Page, lo: int, hi: int) -> None:
    """After a related/trending heading: headlines and cut-off summaries are a teaser list."""
    for i in range(lo, hi):
        if page.paras[i].reason not in tail.TEASER_HEADINGS:
            continue
        j = i + 1
        while j < hi:
            text, f = page.texts[j], page.feats[j]
            if not page.alive(j):
                j += 1
                continue
            if _heads_body(page, j, hi):
                break  # this headline opens two or more paragraphs of prose: the article itself
            if tail.is_truncated(text) or (tail.title_like(text) and page.classes[j] <= Cls.NEAR) or f.bullet:
                page.drop(j, "teaser")
                j += 1
                continue
            break


def _heads_body(page: Page, j: int, hi: int) -> bool:
    """The next two live paragraphs after `j` are prose."""
    nxt = [k for k in range(j + 1, min(hi, j + 8)) if page.alive(k)][:2]
    return len(nxt) == 2 and all(page.classes[k] >= Cls.NEAR for k in nxt)


def _mark_teaser_run(page: Page, title: str | None, lo: int, hi: int) -> None:
    """The block ends in a list of (headline, one-paragraph summary) pairs about other
    subjects: a teaser list, not the article's own sections."""
    def back(j: int) -> int:
        while j >= lo and not page.alive(j):
            j -= 1
        return j

    def headline(t: int) -> bool:
        return (tail.is_truncated(page.texts[t]) and page.feats[t].words <= 20
                or not page.feats[t].terminal and tail.title_like(page.texts[t]))

    j, pairs, start = back(hi - 1), [], None
    while j > lo:
        if page.classes[j] < Cls.NEAR:
            break
        heads, t = [], back(j - 1)
        while t >= lo and page.classes[t] < Cls.GOOD and len(heads) < 3 \
                and (page.classes[t] < Cls.NEAR or headline(t)):
            heads.append(t)
            t = back(t - 1)
        if not any(headline(h) for h in heads):
            break
        pairs.append((heads[-1], j))
        start, j = heads[-1], t
    if len(pairs) < 3 or start is None:
        return
    body = [i for i in range(lo, start) if page.alive(i) and page.classes[i] >= Cls.NEAR]
    if len(body) < 2:
        return
    article = " ".join([title or ""] + [page.texts[i] for i in body[:4]])
    overlaps = [tail.topic_overlap(" ".join(page.texts[t:p + 1]), article, page.stops) for t, p in pairs]
    if median(overlaps) < 0.25:
        for i in range(start, hi):
            page.drop(i, "teaser")


def _mark_appended_story(page: Page, title: str | None, lo: int, hi: int) -> None:
    """A new headline block (title-like line, then a date stamp, byline or the same line
    again) once the article has run a while.  If what follows is off-topic against the
    article's headline and lead, the rest is an appended story; if the article carries on,
    the block was an inline teaser card."""
    body = [i for i in range(lo, hi) if page.alive(i) and page.classes[i] >= Cls.NEAR]
    if len(body) < 3:
        return
    article = " ".join([title or ""] + [page.texts[i] for i in body[:4]])
    i = body[2] + 1
    while i < hi:
        if not page.alive(i) or not tail.title_like(page.texts[i]) or page.classes[i] >= Cls.GOOD \
                or tail.LINKISH.search(page.texts[i]) or tail.SIGNATURE.match(page.texts[i]):
            i += 1
            continue
        window = range(i + 1, min(hi, i + 5))
        repeats = [j for j in window if structure.is_headline_repeat(page.texts[j], page.texts[i])]
        dated = [j for j in window if page.paras[j].reason in tail.STRONG_MARKS
                 and not tail.SIGNATURE.match(page.texts[j])]
        marks = sorted(repeats + dated)
        if not marks or page.feats[i].terminal:
            i += 1
            continue
        after = [j for j in range(marks[-1] + 1, hi) if page.alive(j) and page.classes[j] >= Cls.NEAR][:5]
        overlaps = [tail.topic_overlap(page.texts[j], article, page.stops) for j in after]
        head_overlap = tail.topic_overlap(page.texts[i], article, page.stops)
        if dated and len(after) >= 2 and median(overlaps) < 0.3 and head_overlap < 0.5:
            for j in range(i, hi):
                page.drop(j, "appended-story")
            return
        if repeats:
            # the article carries on: a teaser card (headline shown twice) sat inside it
            for j in [i, *repeats]:
                page.drop(j, "teaser")
            if after and overlaps[0] < 0.2 and head_overlap < 0.5:
                page.drop(after[0], "teaser")
        i = marks[-1] + 1


def _context_pass(page: Page, lo: int, hi: int) -> None:
    """Inside the article block, short and list lines survive only amid prose (jusText's
    context rule); lines without text are transparent, dropped lines act as widgets."""
    effective: list[Cls | None] = []
    for i, c in enumerate(page.classes):
        if not page.feats[i].has_text:
            effective.append(None)
        elif not page.alive(i) and page.paras[i].verdict is not Verdict.TITLE:
            effective.append(Cls.BAD)
        elif i in page.table_rows:
            effective.append(Cls.NEAR)  # a row of a table inside the article
        elif page.feats[i].bullet and c is Cls.BAD:
            effective.append(Cls.SHORT)  # list items inside the article are judged by context
        else:
            effective.append(c)
    for i in range(lo, hi):
        if not page.alive(i) or (effective[i] or Cls.BAD) >= Cls.NEAR:
            continue
        if effective[i] is Cls.BAD:
            page.drop(i, "short-fragment")
        elif not short_line_keeps(effective, i, lo, hi, page.feats[i].terminal and page.feats[i].words >= 4):
            page.drop(i, "short-fragment")
