"""Stage 3: repair encoding damage and entities, recording every change.

ftfy's `fix_and_explain` runs on each paragraph and each step it took is kept as a
`Repair`, so the report can show the text before and after.  Curly quotes stay curly:
the product is faithful text, not normalised text.
"""
from __future__ import annotations

import html
import re

import ftfy

from .config import RepairConfig
from .models import Document, Paragraph, Repair

_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ENTITY = re.compile(r"&(#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")
# Characters that can start mojibake or need ftfy's attention; pure ASCII text without
# them (most English news) cannot change, so ftfy is skipped for it.
_NEEDS_FTFY = re.compile(r"[^\x20-\x7e\t\n]")


def repair_document(doc: Document, config: RepairConfig) -> None:
    for paragraph in doc.paragraphs:
        repair_paragraph(paragraph, config, unescape=config.unescape_entities and doc.format == "text")


def repair_paragraph(paragraph: Paragraph, config: RepairConfig, unescape: bool = True) -> None:
    text, repairs = repair_text(paragraph.original, config, unescape)
    paragraph.text = text
    paragraph.repairs = repairs


def repair_text(text: str, config: RepairConfig, unescape: bool = True) -> tuple[str, list[Repair]]:
    """Return the repaired text and the named steps that changed it.

    >>> repair_text("The Mayorâ€™s office")[0]
    'The Mayor’s office'
    >>> repair_text("Fish &amp; chips")
    ('Fish & chips', [Repair(step='unescape_html', detail='')])
    >>> repair_text("  two   spaces ")
    ('two spaces', [Repair(step='normalize_whitespace', detail='')])
    """
    repairs: list[Repair] = []
    if _NEEDS_FTFY.search(text):
        fixed, steps = ftfy.fix_and_explain(text, config=_ftfy_config(config))
        if fixed != text:
            repairs.extend(Repair(step=s.action if s.action != "apply" else s.parameter,
                                  detail=s.parameter if s.action != "apply" else "")
                           for s in steps or ())
            text = fixed
    if unescape and "&" in text and _ENTITY.search(text):
        unescaped = html.unescape(text)
        if unescaped != text:
            repairs.append(Repair(step="unescape_html"))
            text = unescaped
    squeezed = _SPACES.sub(" ", text).strip()
    if squeezed != text:
        repairs.append(Repair(step="normalize_whitespace"))
        text = squeezed
    return text, repairs


_FTFY_CONFIGS: dict[RepairConfig, ftfy.TextFixerConfig] = {}


def _ftfy_config(config: RepairConfig) -> ftfy.TextFixerConfig:
    if config not in _FTFY_CONFIGS:
        _FTFY_CONFIGS[config] = ftfy.TextFixerConfig(uncurl_quotes=config.uncurl_quotes,
                                                     unescape_html=False, explain=True)
    return _FTFY_CONFIGS[config]
