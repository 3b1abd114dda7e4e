"""cleaner: turn scraped news into a clean, de-duplicated corpus, and show the work.

    from cleaner import run, Config
    result = run(["seeds/"], out="output", config=Config())
"""
from .config import Config
from .models import Document, Paragraph, Verdict
from .pipeline import RunResult, clean_document, clean_records, run

__all__ = ["Config", "Document", "Paragraph", "Verdict", "RunResult", "clean_document",
           "clean_records", "run"]
__version__ = "0.1.0"
