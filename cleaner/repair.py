"""Stage 3: repair encoding damage and entities, recording every change.

ftfy's `fix_and_explain` runs on each paragraph and each step it took is kept as a
`Repair`, so the report can show the text before and after.  Only damage is fixed
(mojibake, C1 controls, entities, odd spaces): curly quotes stay curly, full-width CJK
punctuation stays full-width, ligature letters and CJK compatibility ideographs stay
(`RepairConfig` turns ftfy's rewriting steps back on).  The product is faithful text,
not normalised text.
"""
from __future__ import annotations

import html
import re
import unicodedata

import ftfy
from ftfy.badness import BADNESS_RE, is_bad
from ftfy.chardata import CONTROL_CHARS

from .config import RepairConfig
from .models import Document, Paragraph, Repair

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
# What `_SPACES.sub(" ", text).strip()` would change: a run of two spaces, any other space
# character, or space at either end (checked separately).  Searching is much cheaper than
# substituting every single space.  (`_odd_space` looks the characters up in `_unusual`;
# this pattern is their definition, which tests/test_repair_precheck.py compares.)
_ODD_SPACE_CHAR = re.compile(r"[\t\u00a0\u2000-\u200a\u202f\u205f\u3000]")


_ODD_SPACES = frozenset(filter(_ODD_SPACE_CHAR.match, map(chr, range(0x3001))))  # all below U+3001
_PLAIN_BYTES = bytes(range(0x20, 0x7f)) + b"\n"


def _unusual(text: str) -> set[str]:
    """The distinct characters of `text` outside printable ASCII and the newline: its UTF-8
    less those bytes is only the other characters' sequences, a byte-table pass instead of
    a regular-expression scan per check (2.5x cheaper on news text, which has a few curly
    quotes and dashes)."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_BYTES)
    return set(rest.decode("utf-8", "surrogatepass")) if rest else set()


def _odd_space(text: str, unusual: set[str] | None = None) -> bool:
    """A run of two spaces or another space character (`_ODD_SPACE_CHAR`); `unusual` is
    `_unusual(text)` when the caller has it."""
    if "  " in text:
        return True
    return not _ODD_SPACES.isdisjoint(_unusual(text) if unusual is None else unusual)


_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")
# Which text can skip ftfy.  ftfy changes text by decoding mojibake (re-encoding it with
# one of its single-byte codecs and decoding UTF-8), or by fixes that need characters
# outside the marks below (ligatures, fullwidth forms, controls, line separators,
# combining marks).  Printable ASCII cannot take part in a UTF-8 multi-byte sequence; each
# typographic mark below is, in every codec ftfy tries, either unencodable, or a UTF-8
# continuation byte, or - in macroman only - a lead byte.  Text whose marks are all
# "neutral" or "continuation" (no lead byte anywhere), or all "neutral" or "macroman lead"
# (no continuation byte in macroman, none but continuation bytes elsewhere), or whose
# macroman leads are never followed by a continuation (`_LEAD_THEN_CONT`) can decode to
# nothing, so ftfy would return it unchanged.  Most English news is such text
# (tests/test_repair_precheck.py checks random mixtures against ftfy itself).
# With `uncurl_quotes` the curly quotes do change, so only plain ASCII is skipped then.
_NON_ASCII = re.compile(r"[^\x20-\x7e\t\n]")
_MARKS = [chr(c) for c in range(0x2010, 0x2028)] + list("«»©®™£§¶")


def _mark_classes() -> dict[str, str]:
    import ftfy.bad_codecs  # noqa: F401  registers the sloppy codecs
    from ftfy.chardata import CHARMAP_ENCODINGS
    classes = {}
    for ch in _MARKS:
        leads, conts = set(), set()
        for codec in CHARMAP_ENCODINGS:
            try:
                byte = ch.encode(codec)[0]
            except UnicodeEncodeError:
                continue
            (conts if 0x80 <= byte <= 0xBF else leads).add(codec)
        if not leads:
            classes[ch] = "cont" if "macroman" in conts else "neutral"
        elif leads == {"macroman"}:
            classes[ch] = "lead"
    return classes


_MARK_CLASS = _mark_classes()
# A macroman lead right before a continuation byte, or one space before it (ftfy turns
# such a space back into the 0xA0 a three-byte sequence lost): the only places where
# text of these marks could decode as UTF-8.  A list item "• “quoted”" has both kinds
# of marks but no such pair, and skips ftfy (over a quarter of the 10k synthetic documents).
_LEAD_THEN_CONT = re.compile(
    "[" + "".join(re.escape(c) for c, k in _MARK_CLASS.items() if k == "lead") + "] ?["
    + "".join(re.escape(c) for c, k in _MARK_CLASS.items() if k == "cont") + "]")


# Text of other characters: with cleaner's settings (quotes, widths, ligatures and
# normalisation left alone), ftfy changes a text only by decoding it, which it tries only when
# its own `is_bad` finds mojibake, or by the fixers that remove or replace the characters below
# (C1 controls, the line breaks `fix_line_breaks` turns into "\n", surrogates, terminal escapes,
# and its own table of control characters).  Without them, and without `is_bad`, ftfy returns
# the text as it is: most accented and non-Latin text is such text, and `is_bad` alone costs
# half of a `fix_and_explain` call.
_FIXED_CHARS = frozenset(map(chr, [*CONTROL_CHARS, *range(0x80, 0xA0), *range(0xD800, 0xE000)])) | {
    "\r", "\u2028", "\u2029", "\x1b"}


def needs_ftfy(text: str, uncurl_quotes: bool = False, rewrites: bool = False) -> bool:
    """False when ftfy is known to leave `text` unchanged (see above); `rewrites`: ftfy's width
    or ligature fixes are on.

    >>> needs_ftfy("It’s “fine” — really"), needs_ftfy("• Item © 2024"), needs_ftfy("Itâ€™s")
    (False, False, True)
    >>> needs_ftfy("It’s • fine"), needs_ftfy("It’• fine")  # a macroman lead right before a continuation
    (False, True)
    >>> needs_ftfy("Grüße aus Köln – 北京"), needs_ftfy("Grüße\x85"), needs_ftfy("GrÃ¼ÃŸe")
    (False, True, True)
    """
    return _needs_ftfy(text, _unusual(text), uncurl_quotes, rewrites)


def _needs_ftfy(text: str, unusual: set[str], uncurl_quotes: bool, rewrites: bool = False,
                judge_bad: bool = True) -> bool:
    """`needs_ftfy` given `_unusual(text)` (the characters `_NON_ASCII` finds, and the tab);
    without `judge_bad`, any text of other characters than the marks may need ftfy (`is_bad`
    scans every character, so a whole document is better judged line by line, where lines
    of ASCII and marks alone need no scan)."""
    found = unusual - {"\t"}
    if not found:
        return False
    if uncurl_quotes:
        return True
    lead = cont = False
    for ch in found:
        kind = _MARK_CLASS.get(ch)
        if kind is None:
            return rewrites or not judge_bad or not found.isdisjoint(_FIXED_CHARS) or _looks_bad(text, found)
        lead |= kind == "lead"
        cont |= kind == "cont"
    return lead and cont and _LEAD_THEN_CONT.search(text) is not None


def _badness_marks(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Characters of which every match of ftfy's badness expression holds one, read from the
    expression itself: of each of its alternatives, the character class of which `_NON_ASCII`
    finds every character with the fewest lower-case letters (what text is mostly made of),
    then the fewest characters.  None when the expression has another form
    than a plain alternation of such sequences (then every text is judged by `is_bad`)."""
    if pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _constants as sre, _parser as sre_parse  # the parser `re` compiles with

        parsed = list(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # another Python's parser, or an expression it cannot read
        return None
    branches = parsed[0][1][1] if len(parsed) == 1 and parsed[0][0] is sre.BRANCH else [parsed]
    marks: set[str] = set()
    for branch in branches:
        classes = [c for c in (_class_chars(item, sre) for item in branch) if c and all(map(_NON_ASCII.match, c))]
        if not classes:
            return None
        marks |= min(classes, key=lambda chars: (sum(map(str.islower, chars)), len(chars)))
    return frozenset(marks)


def _class_chars(item, sre) -> set[str] | None:
    """The characters a parsed expression item of one character matches, or None when it is
    not a literal or a class of literals and ranges (`sre`: the parser's constants)."""
    kind, value = item
    if kind is sre.LITERAL:
        return {chr(value)}
    if kind is not sre.IN:
        return None
    chars: set[str] = set()
    for part, arg in value:
        if part is sre.LITERAL:
            chars.add(chr(arg))
        elif part is sre.RANGE:
            chars.update(map(chr, range(arg[0], arg[1] + 1)))
        else:  # a negation or a category: not a plain set
            return None
    return chars


_BADNESS_MARKS = _badness_marks(BADNESS_RE)


def _looks_bad(text: str, unusual: set[str]) -> bool:
    """ftfy's `is_bad(text)`, skipped when `unusual` (`_unusual(text)`) holds none of the
    characters every match of its expression needs (`_badness_marks`): the expression tries
    dozens of alternatives at each character, the costliest step of the stage."""
    if _BADNESS_MARKS is not None and _BADNESS_MARKS.isdisjoint(unusual):
        return False
    return is_bad(text)


def repair_document(doc: Document, config: RepairConfig) -> None:
    unescape = config.unescape_entities and doc.format == "text"
    if not _document_may_change(doc, config, unescape):
        for paragraph in doc.paragraphs:  # the fast path: one check for the whole document
            paragraph.text = paragraph.original
            paragraph.repairs = [r for r in paragraph.repairs if r.step in EXTRACTION_STEPS]
    else:
        for paragraph in doc.paragraphs:
            repair_paragraph(paragraph, config, unescape=unescape)
    strip_stray_glyphs(doc)


def _document_may_change(doc: Document, config: RepairConfig, unescape: bool) -> bool:
    """False only when `repair_text` would leave every paragraph as it is.

    The characters of all paragraphs together are checked once: if their union needs no
    ftfy, no entity, no whitespace fix and no normalisation, neither does any paragraph
    (each check is local to a few characters, and the newline joining them is a boundary
    for each).
    """
    for p in doc.paragraphs:
        if p.original[:1].isspace() or p.original[-1:].isspace():
            return True
    joined = "\n".join(p.original for p in doc.paragraphs)
    unusual = _unusual(joined)
    return (_needs_ftfy(joined, unusual, config.uncurl_quotes, _rewrites(config), judge_bad=False)
            or _odd_space(joined, unusual)
            or (unescape and "&" in joined and bool(_ENTITY.search(joined)))
            or bool(config.unicode_normalization and unusual
                    and not unicodedata.is_normalized(config.unicode_normalization, joined)))


# Repairs recorded by extraction (before this stage) that a re-run of repair must keep.
EXTRACTION_STEPS = frozenset({"split_long_paragraph"})


def repair_paragraph(paragraph: Paragraph, config: RepairConfig, unescape: bool = True) -> None:
    text, repairs = repair_text(paragraph.original, config, unescape)
    paragraph.text = text
    paragraph.repairs = [r for r in paragraph.repairs if r.step in EXTRACTION_STEPS] + repairs


def repair_text(text: str, config: RepairConfig = RepairConfig(), unescape: bool = True) -> tuple[str, list[Repair]]:
    """Return the repaired text and the named steps that changed it.

    >>> repair_text("The Mayorâ€™s office")[0]
    'The Mayor’s office'
    >>> repair_text("Fish &amp; chips")
    ('Fish & chips', [Repair(step='unescape_html', detail='')])
    >>> repair_text("  two   spaces ")
    ('two spaces', [Repair(step='normalize_whitespace', detail='')])
    """
    repairs: list[Repair] = []
    original, unusual = text, _unusual(text)
    if _needs_ftfy(text, unusual, config.uncurl_quotes, _rewrites(config)):
        fixed, steps = ftfy.fix_and_explain(text, config=_ftfy_config(config))
        if fixed != text:
            repairs.extend(Repair(step=s.action if s.action != "apply" else s.parameter,
                                  detail=s.parameter if s.action != "apply" else "")
                           for s in steps or ())
            text = fixed
    if config.unicode_normalization and unusual:  # printable ASCII is normalised in every form
        normalized = normalize(text, config.unicode_normalization)
        if normalized != text:
            repairs.append(Repair(step="normalize", detail=config.unicode_normalization))
            text = normalized
    if unescape and "&" in text and _ENTITY.search(text):
        unescaped = html.unescape(text)
        if unescaped != text:
            repairs.append(Repair(step="unescape_html"))
            text = unescaped
    if not (_odd_space(text, unusual if text is original else None) or text[:1].isspace() or text[-1:].isspace()):
        return text, repairs
    squeezed = _SPACES.sub(" ", text).strip()
    if squeezed != text:
        repairs.append(Repair(step="normalize_whitespace"))
        text = squeezed
    return text, repairs


# CJK compatibility ideographs: each stands for a distinct reading of a unified ideograph,
# and every normalisation form would replace it with that ideograph.
_COMPATIBILITY_IDEOGRAPH = re.compile("([\uf900-\ufaff\U0002f800-\U0002fa1f])")


def normalize(text: str, form: str) -> str:
    """`unicodedata.normalize(form, text)`, leaving CJK compatibility ideographs as written.

    >>> normalize("e\u0301cole \uf900", "NFC") == "\u00e9cole \uf900"
    True
    """
    if unicodedata.is_normalized(form, text):
        return text
    if not _COMPATIBILITY_IDEOGRAPH.search(text):
        return unicodedata.normalize(form, text)
    parts = _COMPATIBILITY_IDEOGRAPH.split(text)  # odd positions: the ideographs themselves
    return "".join(p if i % 2 else unicodedata.normalize(form, p) for i, p in enumerate(parts))


_FTFY_CONFIGS: dict[RepairConfig, ftfy.TextFixerConfig] = {}


def _rewrites(config: RepairConfig) -> bool:
    """ftfy's steps that rewrite legitimate characters (widths, ligatures) are on."""
    return config.fix_character_width or config.fix_latin_ligatures


def _ftfy_config(config: RepairConfig) -> ftfy.TextFixerConfig:
    if config not in _FTFY_CONFIGS:
        # Only fixes of damage: the steps that rewrite legitimate text are off unless asked for
        # (see RepairConfig).
        _FTFY_CONFIGS[config] = ftfy.TextFixerConfig(
            uncurl_quotes=config.uncurl_quotes, unescape_html=False, explain=True,
            fix_character_width=config.fix_character_width, fix_latin_ligatures=config.fix_latin_ligatures,
            normalization=None)  # `normalize`, which keeps the compatibility ideographs
    return _FTFY_CONFIGS[config]


# --------------------------------------------------------------------------- stray glyphs

STRAY_GLYPH_STEP = "strip_stray_glyph"
NAVIGATION_GLYPHS = "»›|▸▹►▶❯❱"
"""Glyphs a page puts after a link or between menu entries ("Read more »", "Next ›")."""
_AFTER_SENTENCE = re.compile(r"(?<=[.!?…。！？\"”’')\]])\s+[" + re.escape(NAVIGATION_GLYPHS) + r"]\s*$")
_BEFORE_TEXT = re.compile(r"^\|\s+(?=\w)")
_SENTENCE_END = re.compile(r"[.!?…。！？][\"”’')\]]*$")
_OPENERS = {"»": "«", "›": "‹"}
"""A guillemet's other half: text that has it quotes with guillemets (« ... », or in German
» ... «), and a » there is a quotation mark, even alone in a paragraph (a quotation of
several paragraphs closes in the last)."""


def strip_stray_glyphs(doc: Document) -> None:
    """Remove a navigation glyph left at the edge of a paragraph, recorded as the repair
    `strip_stray_glyph`: one that trails a finished sentence ("... challenges. »"), or a
    "|" before the text of a sentence.  Whatever else a glyph at an edge may be is kept: a
    bullet or arrow starting a list item, a glyph after a short line (the boilerplate stage
    reads "Next »" as navigation: it sees the same lines either way), a glyph the paragraph
    holds twice (Swedish quotes » ... »), and a guillemet in a document that also has its
    counterpart (see `_OPENERS`)."""
    found = [p for p in doc.paragraphs if p.text[-1:] in _GLYPH_SET or p.text[:1] == "|"]
    if not found:
        return
    for p in found:
        text = _without_stray_glyph(p.text, doc)
        if text != p.text:
            p.text = text
            p.repairs.append(Repair(step=STRAY_GLYPH_STEP))


_GLYPH_SET = frozenset(NAVIGATION_GLYPHS)


def _without_stray_glyph(text: str, doc: Document) -> str:
    """`text` less a stray glyph at its end or start (see `strip_stray_glyphs`).

    >>> d = Document("d", "d.txt", "text")
    >>> _without_stray_glyph("Our core interests are facing challenges. »", d)
    'Our core interests are facing challenges.'
    >>> _without_stray_glyph("| The council met on Tuesday.", d), _without_stray_glyph("Next »", d)
    ('The council met on Tuesday.', 'Next »')
    >>> _without_stray_glyph("► Prices rose again.", d), _without_stray_glyph("Han sa: »Det är slut. »", d)
    ('► Prices rose again.', 'Han sa: »Det är slut. »')
    """
    end = _AFTER_SENTENCE.search(text)
    if end:
        glyph = text[end.start():].strip()
        if text.count(glyph) == 1 and not _quotes_with(glyph, doc):
            return text[:end.start()]
    start = _BEFORE_TEXT.match(text)
    if start and text.count("|") == 1 and _SENTENCE_END.search(text):
        return text[start.end():]
    return text


def _quotes_with(glyph: str, doc: Document) -> bool:
    opener = _OPENERS.get(glyph)
    return opener is not None and any(opener in p.text for p in doc.paragraphs)
