"""The HTML report and the terminal views."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cleaner import report as report_mod
from cleaner.cli import main
from cleaner.config import Config
from cleaner.dedup import ClusterMember, DuplicateCluster
from cleaner.models import Document, InputFile, FileStatus, Metadata, Paragraph, PassageRef, Repair, Verdict
from cleaner.pipeline import run
from cleaner.report import (DirectorySink, ReportWriter, render_document_page, render_document_section,
                            read_table_rows, render_report, row_fields, script_json)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
EVIL_SCRIPT = "<script>window.__pwned=1</script>"
EVIL_IMG = '<img src=x onerror="window.__pwned=1">'


def make_doc(doc_id="d1", **kw) -> Document:
    paragraphs = [
        Paragraph("Headline " + EVIL_SCRIPT, verdict=Verdict.TITLE),
        Paragraph("Body with " + EVIL_IMG + " inside."),
        Paragraph("Related Posts", verdict=Verdict.DROP, reason="related-links"),
        Paragraph("Caf\u00c3\u00a9 owners", text="Caf\u00e9 owners", repairs=[Repair("mojibake")]),
        Paragraph("A shared passage that appears elsewhere."),
    ]
    defaults = dict(source="in/" + doc_id + ".txt", format="text", title="Headline " + EVIL_SCRIPT,
                    metadata=Metadata(url="https://example.com/" + doc_id), paragraphs=paragraphs)
    defaults.update(kw)
    return Document(id=doc_id, **defaults)


# --------------------------------------------------------------------------- escaping

def test_script_json_cannot_close_the_script_element():
    text = script_json({"a": "</script><script>x()</script>&\u2028\u2029"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text) == {"a": "</script><script>x()</script>&\u2028\u2029"}


def _without_embedded_json(page: str) -> str:
    """The page less its embedded data and its own scripts (code may hold "<")."""
    page = page.replace(f"<script>{report_mod.REPAIR_JS}</script>", "")
    return re.sub(r"<script type='application/json'.*?</script>", "", page, flags=re.S)


def test_document_page_escapes_untrusted_text():
    page = render_document_page(make_doc(doc_id=EVIL_IMG))
    assert EVIL_SCRIPT not in page and "<img" not in page
    assert "onerror=&quot;window.__pwned=1&quot;" in page
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;" in page
    # the only <script> elements are ours: the document's data and the repair marker
    assert page.count("<script") == 2 and "<script type='application/json' id='cleaner-doc/" in page
    assert f"<script>{report_mod.REPAIR_JS}</script>" in page


def test_document_page_strikes_removals_with_reason_and_shows_repairs():
    doc = make_doc(duplicate_of="d0", duplicate_similarity=0.91,
                   passages=[PassageRef(paragraph=4, cluster=3, first_doc="d0")])
    page = render_document_page(doc)
    assert "<li id='d1/p2' class='drop' value='2'><del>Related Posts</del> <span class='badge'" in page
    assert ">related-links</span>" in page
    assert "<span class='before'>Caf\u00c3\u00a9 owners</span> → <span class='after'>Caf\u00e9 owners</span>" in page
    assert "repaired: mojibake" in page
    assert "<a class='dupof' href='d0.html#d0'>d0</a> (similarity 0.91)" in page
    assert "href='d0.html#d0'>d0</a>" in page and "href='../clusters-0001.html#c4'>cluster #4: all members" in page


def test_render_report_single_page_still_works():
    doc = make_doc()
    html = render_report({"documents": 1, "removed_by_reason": {"related-links": 1}}, [doc], [])
    assert "<del>Related Posts</del>" in html and EVIL_SCRIPT not in html


# --------------------------------------------------------------------------- writer

def test_writer_pages_index_docs_and_clusters(tmp_path, monkeypatch):
    monkeypatch.setattr(report_mod, "ROWS_PER_PAGE", 3)
    monkeypatch.setattr(report_mod, "CLUSTERS_PER_PAGE", 2)
    monkeypatch.setattr(report_mod, "DOCS_PER_PAGE", 4)
    writer = ReportWriter(DirectorySink(tmp_path))
    docs = [make_doc(f"d{i}") for i in range(7)]
    docs[5].duplicate_of = "d1"
    docs.append(make_doc("d1"))  # a repeated id gets its own page
    docs.append(make_doc("../../etc/passwd"))
    for doc in docs:
        writer.add_document(doc)
    clusters = [DuplicateCluster("document", 0.9, (ClusterMember("d1"), ClusterMember("d5")), "d1")]
    clusters += [DuplicateCluster("passage", 1.0, (ClusterMember("d0", 4, "shared " + EVIL_IMG),
                                                   ClusterMember("d2", 4, "shared"))) for _ in range(2)]
    inputs = [InputFile("in/bad.html").fail("cannot decode " + EVIL_SCRIPT)]
    summary = {"documents": 9, "removed": 9, "removed_by_reason": {"related-links": 9}, "failed": 1,
               "duplicate_clusters": {"document": 1, "passage": 2}}
    writer.finish(summary, clusters, inputs)

    files = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file())
    assert "report.html" in files and "report/table-0002.html" in files and "report/table-0003.html" in files
    assert "report/table-0004.html" not in files
    assert {"report/data/rows-0001.js", "report/data/rows-0003.js"} <= set(files)
    assert {"report/docs/000001.html", "report/docs/000003.html", "report/clusters-0002.html"} <= set(files)
    assert "report/docs/000004.html" not in files
    sections = [re.findall(r"<section class='doc' id='([^']*)'", (tmp_path / f"report/docs/00000{k}.html").read_text())
                for k in (1, 2, 3)]
    assert sections == [["d0", "d1", "d2", "d3"], ["d4", "d5", "d6", "d1~2"], ["etc_passwd-936d7c04"]]
    assert not any(".." in f.replace("~", "") for f in files)
    assert all(f.startswith("report") for f in files)

    index = (tmp_path / "report.html").read_text()
    assert "<svg" in index and "related-links" in index and "cannot decode &lt;script&gt;" in index
    assert index.count("<tr><td class='n'>") == 3
    assert "href='report/table-0002.html'" in index and "href='report/docs/000001.html#d0'" in index
    page2 = (tmp_path / "report/table-0002.html").read_text()
    assert "href='../report.html'" in page2 and "href='docs/000001.html#d3'" in page2 and "<svg" not in page2
    assert "href='docs/000002.html#d4'" in page2
    assert "href='docs/000001.html#d1'>d1</a>" in page2  # d5's duplicate_of link: the first d1
    clusters_html = (tmp_path / "report/clusters-0001.html").read_text()
    assert "id='c1'" in clusters_html and "id='c2'" in clusters_html and "id='c3'" not in clusters_html
    assert "<h3>#1 <span class='tag'>document</span>" in clusters_html and "<p>3 clusters: 1 document, 2 passage.</p>" in clusters_html
    assert "href='docs/000001.html#d0/p4'" in clusters_html and "shared &lt;img" in clusters_html
    assert "<li id='d0/p4' " in (tmp_path / "report/docs/000001.html").read_text()
    assert "representative" in clusters_html
    chunk = (tmp_path / "report/data/rows-0001.js").read_text()
    assert "<" not in chunk
    rows = json.loads(chunk.split("]=", 1)[1].rstrip(";\n"))
    assert [r[1] for r in rows] == ["d0", "d1", "d2"] and rows[0][9] == ["related-links"]
    assert [r[1] for r in read_table_rows(tmp_path)] == [d.id for d in docs]  # every chunk, in order
    with pytest.raises(RuntimeError):
        writer.add_document(make_doc("late"))


def test_a_page_closes_early_when_its_documents_are_large(tmp_path, monkeypatch):
    """Pages take up to DOCS_PER_PAGE documents but close once their sizes reach PAGE_BYTES,
    so a few enormous documents never make one enormous page; links follow the pages."""
    monkeypatch.setattr(report_mod, "DOCS_PER_PAGE", 3)
    monkeypatch.setattr(report_mod, "PAGE_BYTES", 1000)
    writer = ReportWriter(DirectorySink(tmp_path))
    names = writer.reserve([f"d{i}" for i in range(7)], [10, 10, 10, 10, 2000, 10, 10])
    assert names.files == ["000001.html"] * 3 + ["000002.html"] * 2 + ["000003.html"] * 2
    assert names.href("d4") == "000002.html#d4" and names.href("d6") == "000003.html#d6"
    for i in range(7):
        doc = make_doc(f"d{i}")
        writer.add_page(doc.id, render_document_section(doc, names.pages[i], names.href), row_fields(doc),
                        doc.encoding, [])
    writer.finish({})
    for k, expected in ((1, ["d0", "d1", "d2"]), (2, ["d3", "d4"]), (3, ["d5", "d6"])):
        page = (tmp_path / f"report/docs/00000{k}.html").read_text()
        assert re.findall(r"<section class='doc' id='([^']*)'", page) == expected
    rows = list(read_table_rows(tmp_path))
    assert [r[2] for r in rows][3:5] == ["docs/000002.html#d3", "docs/000002.html#d4"]


def _hostile_story():
    from cleaner.stories import AlignedPassage, Link, PassageMember, Story, StoryMember
    later = StoryMember("late<b>", "Later " + EVIL_SCRIPT, "2024-05-02", "b.example")
    earlier = StoryMember(EVIL_IMG, "Earlier " + EVIL_SCRIPT, "2024-05-01", "a.example<i>")
    undated = StoryMember("undated", None, None, None)
    passage = AlignedPassage((PassageMember(EVIL_IMG, 2, "Said first " + EVIL_SCRIPT, "2024-05-01", "a.example<i>"),
                              PassageMember("late<b>", 0, "Said again " + EVIL_IMG, "2024-05-02", "b.example")), 0.42)
    link = Link(("late<b>", EVIL_IMG), 0.9, 1.0, ("Name<script>",), ("12",), ("term&",))
    return Story("late<b>", (later, earlier, undated), (link,), (passage,))


def test_story_page_lists_members_earliest_first_and_escapes_them():
    story = _hostile_story()
    page = report_mod.render_story_page(story, report_mod.PageLinks({EVIL_IMG: "000001.html#evil"}),
                                        {"late<b>": "in/<late>.txt"})
    assert "<script>window" not in page and "<img src" not in page and "<b>" not in page and "<i>" not in page
    members = re.findall(r"<tr class='member'><td class='id'><a class='doc' href='([^']*)'>([^<]*)</a>", page)
    assert [m[1] for m in members] == [report_mod.e(EVIL_IMG), "late&lt;b&gt;", "undated"]  # by date, undated last
    assert members[0][0] == "../docs/000001.html#evil"
    assert "in/&lt;late&gt;.txt" in page and "a.example&lt;i&gt;" in page
    side = re.search(r"<div class='side'>(.*?)</div></section>", page).group(1)
    assert side.index("Said first") < side.index("Said again")
    assert "href='../docs/000001.html#evil/p2'" in side and "similarity 0.42" in page
    assert "Name&lt;script&gt;" in page and "term&amp;" in page


def test_writer_writes_a_stories_index_and_a_page_per_story(tmp_path):
    writer = ReportWriter(DirectorySink(tmp_path))
    docs = [make_doc("late<b>"), make_doc(EVIL_IMG), make_doc("undated"), make_doc("alone")]
    for doc in docs:
        doc.story = None if doc.id == "alone" else "late<b>"
        writer.add_document(doc)
    story = _hostile_story()
    writer.finish({"documents": 4}, [], [], [story])
    name = report_mod.story_page_name(story.story)
    page = (tmp_path / "report" / name).read_text(encoding="utf-8")
    assert "in/late&lt;b&gt;.txt" in page  # the source, from the documents table
    index = (tmp_path / "report" / "stories-0001.html").read_text(encoding="utf-8")
    assert f"href='{name}'" in index and "1 story, 3 documents" in index and EVIL_SCRIPT not in index
    root = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "href='report/stories-0001.html'" in root
    sections = (tmp_path / "report" / "docs" / "000001.html").read_text(encoding="utf-8")
    assert sections.count(f"href='../{name}'") == 3  # each member links its story; the fourth is in none


def test_no_story_pages_when_the_stage_did_not_run(tmp_path):
    writer = ReportWriter(DirectorySink(tmp_path))
    writer.add_document(make_doc("d1"))
    writer.finish({"documents": 1})
    assert not (tmp_path / "report" / "stories-0001.html").exists()
    assert "stories-0001.html" not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_section_refuses_a_link_map_where_its_name_goes():
    """`render_document_section(doc, anchor, href)`: the link map passed as the anchor once
    made every section embed the whole map as its id, so pages grew with the run."""
    writer = ReportWriter(DirectorySink("unused"))
    with pytest.raises(TypeError, match="anchor"):
        render_document_section(make_doc("d0"), writer.href)


# --------------------------------------------------------------------------- through the pipeline

@pytest.fixture(scope="module")
def run_out(tmp_path_factory) -> Path:
    inputs = tmp_path_factory.mktemp("in")
    for name in ("000_c0ac4585be19e560.txt", "003_fb5f256fec8ece3d.txt"):
        shutil.copy(SEEDS / name, inputs / name)
    shutil.copy(SEEDS / "000_c0ac4585be19e560.txt", inputs / "copy_of_000.txt")
    (inputs / "evil.txt").write_text(
        f"Evil headline {EVIL_SCRIPT}\n\nA paragraph with {EVIL_IMG} in it, which is just text.\n\n"
        f"Evil headline {EVIL_SCRIPT}\n\nThe end of the story.\n", encoding="utf-8")
    out = tmp_path_factory.mktemp("out")
    run([inputs], out=out, config=Config.load(None, {"workers": 1}))
    return out


def section(out: Path, name: str) -> str:
    """The report section named `name`, from whichever report/docs/ page holds it."""
    for page in sorted((out / "report/docs").glob("*.html")):
        found = re.search(rf"<section class='doc' id='{re.escape(name)}'>.*?</section>", page.read_text(), re.S)
        if found:
            return found.group(0)
    raise AssertionError(f"no section {name!r}")


def test_pipeline_writes_the_paged_report(run_out):
    assert (run_out / "report.html").is_file()
    assert [p.name for p in (run_out / "report/docs").iterdir()] == ["000001.html"]  # 4 documents, one page
    page = section(run_out, "evil")
    assert EVIL_SCRIPT not in page and "<img" not in page
    assert re.search(r"<del>Evil headline &lt;script&gt;.*?</del> <span class='badge'[^>]*>repeated-headline<", page)
    page_003 = section(run_out, "003_fb5f256fec8ece3d")
    assert "<del>" in page_003 and "class='badge'" in page_003


def test_cli_diff(run_out):
    runner = CliRunner()
    result = runner.invoke(main, ["diff", "evil", "-o", str(run_out)])
    assert result.exit_code == 0, result.output
    assert "\x1b[" not in result.output  # not a terminal: no colour
    lines = result.output.splitlines()
    assert lines[0].startswith("--- evil")
    assert f"-Evil headline {EVIL_SCRIPT}  [repeated-headline] ¶2" in lines
    assert any(line.startswith(" A paragraph with") for line in lines)
    coloured = runner.invoke(main, ["diff", "evil", "-o", str(run_out), "--color"])
    assert "\x1b[31m-Evil headline" in coloured.output
    data = json.loads(runner.invoke(main, ["diff", "evil", "-o", str(run_out), "--json"]).output)
    assert data["paragraphs"][2] == {"verdict": "drop", "reason": "repeated-headline",
                                     "original": None,
                                     "text": f"Evil headline {EVIL_SCRIPT}", "repairs": [], "heading": False,
                                         "restored": None}
    missing = runner.invoke(main, ["diff", "nope", "-o", str(run_out)])
    assert missing.exit_code == 1 and "no document 'nope'" in missing.output


def test_cli_dups(run_out):
    runner = CliRunner()
    result = runner.invoke(main, ["dups", "-o", str(run_out), "--no-color"])
    assert result.exit_code == 0, result.output
    assert "#1 document" in result.output and "copy_of_000" in result.output
    data = json.loads(runner.invoke(main, ["dups", "-o", str(run_out), "--json"]).output)
    assert data[0]["index"] == 0 and {m["doc"] for m in data[0]["members"]} == {"000_c0ac4585be19e560",
                                                                               "copy_of_000"}
    # the copy repeats every passage of 000; --level keeps only passage clusters, first seen in 000
    passages = json.loads(runner.invoke(main, ["dups", "-o", str(run_out), "--json", "--level", "passage"]).output)
    assert passages and all(c["level"] == "passage" for c in passages)
    copies = [c for c in passages if "copy_of_000" in {m["doc"] for m in c["members"]}]
    assert copies and all(c["representative"] == "000_c0ac4585be19e560" for c in copies)
    assert all({m["doc"] for m in c["members"]} == {"000_c0ac4585be19e560", "copy_of_000"} for c in copies)
    clusters_page = (run_out / "report/clusters-0001.html").read_text()
    assert "href='docs/000001.html#copy_of_000'" in clusters_page
    dup_page = section(run_out, "copy_of_000")
    assert "<a class='dupof' href='000001.html#000_c0ac4585be19e560'>" in dup_page


def test_cli_stats(run_out, tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["stats", "-o", str(run_out)])
    assert result.exit_code == 0, result.output
    assert "documents   4 from 4 inputs" in result.output and "repeated-headline" in result.output
    data = json.loads(runner.invoke(main, ["stats", "-o", str(run_out), "--json"]).output)
    assert data["documents"] == 4 and data["removed_by_reason"]["repeated-headline"] >= 1
    empty = runner.invoke(main, ["stats", "-o", str(tmp_path)])
    assert empty.exit_code == 1 and "no manifest.json" in empty.output


def test_empty_run_still_writes_an_index(tmp_path):
    writer = ReportWriter(DirectorySink(tmp_path))
    writer.finish({"documents": 0}, [], [InputFile("in/x.txt", status=FileStatus.SKIPPED)])
    index = (tmp_path / "report.html").read_text()
    assert "Documents 0–0 of 0" in index and "Nothing was removed" in index
    assert (tmp_path / "report/clusters-0001.html").is_file()


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.text(), st.text(), st.text(min_size=1))
def test_no_data_string_becomes_markup(text, reason, doc_id):
    doc = Document(id=doc_id, source=text, format="text", title=text,
                   paragraphs=[Paragraph(text), Paragraph(text + "x", verdict=Verdict.DROP, reason=reason)])
    page = render_document_page(doc)
    body = _without_embedded_json(page)
    # every '<' in the page starts one of our own tags
    assert not re.search(r"<(?!/?(?:!doctype|html|head|meta|title|style|body|nav|a|h1|h2|table|tr|th|td|p|small|section|"
                         r"label|input|ol|li|del|span|div|script)[\s>])", body)
    data = json.loads(re.search(r"id='cleaner-doc/[^']*'>(.*?)</script>", page, re.S).group(1))
    assert data["paragraphs"][1]["reason"] == reason and data["id"] == doc_id
