"""Stage 3: mojibake, entities and whitespace repaired, each change recorded."""
from cleaner.config import RepairConfig
from cleaner.models import Document, Paragraph, Repair
from cleaner.repair import repair_document, repair_text

CFG = RepairConfig()


def test_mojibake_is_fixed_and_recorded():
    text, repairs = repair_text("The Mayorâ€™s office said â€œnoâ€\x9d.", CFG)
    assert text == "The Mayor’s office said “no”."
    assert repairs == [Repair(step="encode", detail="sloppy-windows-1252"), Repair(step="decode", detail="utf-8")]


def test_curly_quotes_are_kept_by_default():
    text = "She said “yes” and ‘no’ – at once…"
    assert repair_text(text, CFG) == (text, [])


def test_curly_quotes_uncurled_when_configured():
    text, repairs = repair_text("She said “yes”.", RepairConfig(uncurl_quotes=True))
    assert text == 'She said "yes".'
    assert [r.step for r in repairs] == ["uncurl_quotes"]


def test_entities_decoded():
    assert repair_text("Fish &amp; chips &eacute;t&#233; &#x2014; ok", CFG) == \
        ("Fish & chips été — ok", [Repair(step="unescape_html")])


def test_entities_left_alone_when_not_asked():
    assert repair_text("AT&amp;T", CFG, unescape=False) == ("AT&amp;T", [])


def test_html_documents_are_not_unescaped_twice():
    doc = Document(id="d", source="d", format="html", paragraphs=[Paragraph(original="Use &lt;b&gt; tags")])
    repair_document(doc, CFG)
    assert doc.paragraphs[0].text == "Use &lt;b&gt; tags"


def test_clean_text_is_untouched():
    text = "Plain, clean English text with nothing to fix."
    assert repair_text(text, CFG) == (text, [])


def test_whitespace_normalised():
    assert repair_text("a\u00a0\u00a0b\t c ", CFG) == ("a b c", [Repair(step="normalize_whitespace")])


def test_repair_keeps_repairs_recorded_by_extraction():
    p = Paragraph(original="x  y", repairs=[Repair(step="split_long_paragraph", detail="d")])
    doc = Document(id="d", source="d", format="text", paragraphs=[p])
    repair_document(doc, CFG)
    repair_document(doc, CFG)
    assert [r.step for r in p.repairs] == ["split_long_paragraph", "normalize_whitespace"]
