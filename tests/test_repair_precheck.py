"""The fast pre-check in repair.py only skips ftfy for text ftfy would leave unchanged."""
import random

import ftfy
from hypothesis import given, settings, strategies as st

from cleaner.config import RepairConfig
from cleaner.repair import (_MARK_CLASS, _NON_ASCII, _ODD_SPACE_CHAR, _ftfy_config, _odd_space, _unusual, needs_ftfy,
                            repair_text)

ASCII = [chr(c) for c in range(0x20, 0x7F)] + ["\t"]


def skips_agree_with_ftfy(texts) -> tuple[int, int]:
    """Assert that ftfy leaves every text the pre-check skips unchanged; returns how many
    texts were skipped and how many ftfy changed (so a test can show both kinds ran)."""
    cfg = _ftfy_config(RepairConfig())
    skipped = changed = 0
    for text in texts:
        fixed = ftfy.fix_and_explain(text, config=cfg)[0]
        if not needs_ftfy(text):
            skipped += 1
            assert fixed == text, repr(text)
        changed += fixed != text
    return skipped, changed


def test_ftfy_never_changes_text_the_precheck_skips():
    rng = random.Random(7)
    marks = list(_MARK_CLASS)

    def mixture() -> str:
        alphabet = ASCII + rng.sample(marks, rng.randint(1, 4)) * 8
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40)))

    skipped, _ = skips_agree_with_ftfy(mixture() for _ in range(20000))
    assert skipped > 5000  # the check above really ran on many mixtures


def test_ftfy_never_changes_lead_and_continuation_marks_the_precheck_skips():
    """Text with macroman leads (curly quotes, dashes) and continuation marks (bullets, ©)
    skips ftfy unless a lead comes right before a continuation, or one space before it."""
    rng = random.Random(5)
    leads = [c for c, k in _MARK_CLASS.items() if k == "lead"]
    conts = [c for c, k in _MARK_CLASS.items() if k == "cont"]

    def mixture() -> str:
        alphabet = list("ab ") + rng.sample(leads, rng.randint(1, 3)) * 3 + rng.sample(conts, rng.randint(1, 2)) * 3
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))

    skipped, changed = skips_agree_with_ftfy(mixture() for _ in range(20000))
    assert skipped > 5000 and changed > 20  # both kinds of mixture were really tried
    assert not needs_ftfy("• “Quoted,” he said’s") and needs_ftfy("’•") and needs_ftfy("„ •")


def test_mojibake_still_reaches_ftfy():
    assert repair_text("The Mayorâ€™s office â€” â€œquotedâ€\x9d")[0] == "The Mayor’s office — “quoted”"


def test_uncurl_quotes_still_uncurls():
    assert repair_text("It’s “fine”", RepairConfig(uncurl_quotes=True))[0] == "It's \"fine\""


def test_whitespace_fast_path_matches_the_substitution():
    from cleaner.repair import _SPACES
    rng = random.Random(3)
    alphabet = list("ab .,") + [" ", "  ", "\t", "\n", "\u00a0", "\u2009", "\u3000", "\r", "\x0b"]
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        fixed, repairs = repair_text(text, RepairConfig(), unescape=False)
        expected = _SPACES.sub(" ", text).strip()
        if not needs_ftfy(text):
            assert fixed == expected, repr(text)
            assert bool(repairs) == (expected != text)


def test_document_fast_path_equals_paragraph_by_paragraph():
    from cleaner.models import Document, Paragraph
    from cleaner.repair import repair_document, repair_paragraph
    rng = random.Random(11)
    pieces = ["word", " ", "  ", "’", "“", "•", "©", "&amp;", "&", ";", "Ã©", "\u00a0", "\t", "x"]
    for _ in range(3000):
        texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))) for _ in range(rng.randint(1, 4))]
        for fmt in ("text", "html"):
            fast = Document(id="d", source="s", format=fmt, paragraphs=[Paragraph(original=t) for t in texts])
            repair_document(fast, RepairConfig())
            for p, t in zip(fast.paragraphs, texts):
                slow = Paragraph(original=t)
                repair_paragraph(slow, RepairConfig(), unescape=fmt == "text")
                assert (p.text, p.repairs) == (slow.text, slow.repairs), repr(texts)


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=80),
                 st.lists(st.sampled_from(["a", " ", "  ", "\t", "\n", "\r", "\x00", "\x7f", "\u00a0", "\u2003", "\u200b",
                                           "\u3000", "’", "•", "é", "\ud800", "😀"]), max_size=30).map("".join)))
def test_the_character_checks_are_their_pattern_definitions(text):
    """`_unusual` (a byte-table pass) finds what `_NON_ASCII` finds, and the tab; `_odd_space`
    answers what its pattern does."""
    assert _unusual(text) - {"\t"} == set(_NON_ASCII.findall(text))
    assert _odd_space(text) == ("  " in text or bool(_ODD_SPACE_CHAR.search(text)))


def test_ftfy_never_changes_other_text_the_precheck_skips():
    """Accented, Cyrillic, CJK and other non-mark characters skip ftfy when its own `is_bad`
    finds no mojibake and no character that its other fixers act on is present."""
    rng = random.Random(11)
    letters = list("äöüßéèêçñãõøåæœÄÖÜÉÇÑÀÂÃÎÐØÙàâ°²³µ×±¿¡łśżźćńąęЖжыЯ北京汉字한국어ㄱ・﹐，") + list(_MARK_CLASS)
    special = ["\x85", "\x80", "\x9d", "\r", "\u2028", "\x1b[31m", "\x07", "\ufeff", "\u206a", "\ud800", "\x00"]
    mojibake = ["Ã©", "Ã¼", "â€™", "â€œ", "Â ", "Ã ", "ÐŸ", "å\x8c\x97"]

    def mixture() -> str:
        alphabet = ASCII + rng.sample(letters, rng.randint(1, 6)) * 6
        parts = [rng.choice(alphabet) for _ in range(rng.randint(1, 30))]
        if rng.random() < 0.2:
            parts.insert(rng.randint(0, len(parts)), rng.choice(special + mojibake))
        return "".join(parts)

    skipped, changed = skips_agree_with_ftfy(mixture() for _ in range(20000))
    assert skipped > 5000 and changed > 200  # both kinds of text were really tried


def test_decomposed_accents_are_still_normalised_when_ftfy_is_skipped():
    from cleaner.models import Document, Paragraph
    from cleaner.repair import repair_document

    assert not needs_ftfy("e\u0301cole")
    doc = Document(id="d", source="d.txt", format="text", paragraphs=[Paragraph(original="e\u0301cole"),
                                                                     Paragraph(original="Köln")])
    repair_document(doc, RepairConfig())
    assert [p.text for p in doc.paragraphs] == ["\u00e9cole", "Köln"]


def test_badness_marks_skip_only_text_is_bad_clears():
    """`_looks_bad` answers as ftfy's `is_bad` on mixtures of the characters its expression
    names (every text that skips the scan holds none of the characters each alternative of
    the expression needs), and the marks were read from the installed ftfy."""
    from re import _constants as sre, _parser as sre_parse

    from ftfy.badness import BADNESS_RE, is_bad

    from cleaner.repair import _BADNESS_MARKS, _class_chars, _looks_bad

    assert _BADNESS_MARKS is not None
    named = set()
    for branch in list(sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags))[0][1][1]:
        named.update(*(c for c in (_class_chars(item, sre) for item in branch) if c))
    rng = random.Random(3)
    alphabet = sorted(named) + list("ab Z.,\n\t") + list("éüñПривет北京“”’–")
    skipped = bad = 0
    for _ in range(100000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 8)))
        unusual = _unusual(text) - {"\t"}
        skipped += _BADNESS_MARKS.isdisjoint(unusual)
        bad += is_bad(text)
        assert _looks_bad(text, unusual) == is_bad(text), repr(text)
    assert skipped > 5000 and bad > 5000  # both kinds of text were really tried
