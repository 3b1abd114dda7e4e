"""Author and date of text inputs, from the byline and dateline the boilerplate stage removed."""
import json

from hypothesis import given, settings, strategies as st

from cleaner import Config, run
from cleaner.metadata import author_of, date_of, fill_metadata
from cleaner.models import Document, Metadata, Paragraph, Verdict


def doc(*paragraphs, metadata=Metadata()):
    return Document(id="d", source="d.txt", format="text", metadata=metadata,
                    paragraphs=[Paragraph(t, verdict=Verdict.DROP if r else Verdict.KEEP, reason=r)
                                for t, r in paragraphs])


def test_seeds_get_the_author_and_date_their_removed_lines_give(seeds_dir, tmp_path):
    run([seeds_dir], out=tmp_path / "out", config=Config(workers=1))
    meta = {r["id"][:3]: r["metadata"] for r in map(json.loads, open(tmp_path / "out" / "corpus.jsonl"))}
    assert meta["001"]["author"] == "Spy Uganda Correspondent"  # "By Spy Uganda Correspondent"
    assert meta["003"]["date"] == "2023-06-16"  # "Updated 16 June 2023"
    assert meta["000"]["author"] is None and meta["000"]["date"] is None  # neither line: nothing made up


def test_only_removed_bylines_and_datelines_count_and_the_page_metadata_wins():
    d = doc(("By Ann Lee", None), ("Published 3 March 2021", "dateline-metadata"), ("By Bob Day", "byline"),
            ("By Carl Orr", "byline"), ("Updated 4 April 2022", "dateline-metadata"))
    fill_metadata(d)
    assert (d.metadata.author, d.metadata.date) == ("Bob Day", "2021-03-03")
    d = doc(("By Bob Day", "byline"), ("Published 3 March 2021", "dateline-metadata"),
            metadata=Metadata(author="From the page", url="https://x.example/a"))
    fill_metadata(d)
    assert d.metadata == Metadata(author="From the page", date="2021-03-03", url="https://x.example/a")


def test_an_appended_story_lends_neither_its_byline_nor_its_date():
    d = doc(("Headline", None), ("Body text of the story.", None), ("Another story", "appended-story"),
            ("Updated 16 June 2023", "dateline-metadata"), ("By Ann Lee", "byline"))
    fill_metadata(d)
    assert d.metadata == Metadata()


def test_lines_that_give_no_name_or_date_leave_them_empty():
    d = doc(("Updated 3 sec ago", "dateline-metadata"), ("By the end of the week", "byline"),
            ("Editing by Bob Day", "byline"))
    fill_metadata(d)
    assert d.metadata == Metadata()


def test_bylines_in_other_languages():
    assert author_of("Von Max Müller, Berlin") == "Max Müller"
    assert author_of("Por João Silva e Ana Costa") == "João Silva; Ana Costa"
    assert author_of("Par Jeanne Dupont | Le Monde") == "Jeanne Dupont"
    assert date_of("Publié le 12 avril 2022 à 08h00") == "2022-04-12"
    assert date_of("Veröffentlicht am 3. März 2021, 10:15 Uhr") == "2021-03-03"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.text(max_size=60), st.sampled_from([None, "byline", "dateline-metadata", "caption"])),
                max_size=6))
def test_filling_metadata_changes_nothing_else(paragraphs):
    d = doc(*paragraphs)
    before = [(p.text, p.verdict, p.reason) for p in d.paragraphs]
    fill_metadata(d)
    assert [(p.text, p.verdict, p.reason) for p in d.paragraphs] == before
    assert d.metadata.author is None or (d.metadata.author.strip() and len(d.metadata.author) <= 200)
    assert d.metadata.date is None or len(d.metadata.date) == 10
