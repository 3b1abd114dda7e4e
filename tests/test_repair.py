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


LEGITIMATE = [
    "中国外交部发言人表示，双方将继续沟通；会谈于周一举行：结果令人满意！（新华社）",  # full-width punctuation
    "東京都は１２月に新しい計画を発表した。全角英数：ＡＢＣ",  # full-width digits and letters
    "ｶﾀｶﾅの看板",  # half-width katakana
    "정부는 \uf900\uf914 표기를 유지했다.",  # CJK compatibility ideographs (distinct Korean readings)
    "Het ĳsbeerseizoen in de Ĳssel; ﬁnancieel",  # Dutch ij letter, a typographic ligature
]


def test_repair_leaves_legitimate_text_as_written():
    for text in LEGITIMATE:
        assert repair_text(text, CFG) == (text, []), text


def test_mojibake_in_cjk_text_is_still_fixed_and_punctuation_kept():
    import ftfy.bad_codecs  # noqa: F401  registers sloppy-windows-1252
    text = "双方将继续沟通，会谈于周一举行：结果令人满意。"
    broken = text.encode("utf-8").decode("sloppy-windows-1252")
    fixed, repairs = repair_text(broken, CFG)
    assert fixed == text and repairs


def test_text_is_put_in_nfc_and_the_change_recorded():
    assert repair_text("e\u0301cole \u09df", CFG) == ("\u00e9cole \u09af\u09bc", [Repair(step="normalize", detail="NFC")])
    assert repair_text("e\u0301cole", RepairConfig(unicode_normalization=""))[0] == "e\u0301cole"


def test_rewriting_steps_can_be_turned_on():
    config = RepairConfig(fix_character_width=True, fix_latin_ligatures=True)
    assert repair_text("会谈，结果：ＡＢＣ", config)[0] == "会谈,结果:ABC"
    assert repair_text("ﬁnancial", config)[0] == "financial"
