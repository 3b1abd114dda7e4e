"""Stage 2: HTML via trafilatura, plain text lines, hard-wrapped text, hostile markup."""
import time

from cleaner.config import ExtractConfig
from cleaner.extract import MAX_PARAGRAPH_CHARS, _flatten_deep_markup, extract, split_paragraphs
from cleaner.models import RawDocument
from conftest import BUDGET_STORY

CFG = ExtractConfig()

BODY = " ".join(f"Sentence {i} of the council story explains what happened at the vote." for i in range(6))
PAGE = f"""<!DOCTYPE html><html><head>
<title>Council approves budget | Daily Example</title>
<meta property="og:title" content="Council approves budget">
<meta name="author" content="Jane Reporter">
<meta property="article:published_time" content="2023-05-04T10:00:00Z">
<meta property="og:site_name" content="Daily Example">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Council approves budget</h1>
<p>{BODY}</p>
<p>A second paragraph gives the reaction of residents, who said the plan was overdue and welcome.</p>
<ul><li>First listed point about the spending plan for the coming year.</li></ul>
</article>
<footer>Copyright 2023 Daily Example</footer>
</body></html>"""


def raw(content, fmt="text", **kw):
    return RawDocument(id="d", source="d", content=content, format=fmt, **kw)


def test_html_gives_title_metadata_and_paragraphs():
    doc = extract(raw(PAGE, "html", url="https://www.example.com/news/budget"), CFG)
    assert doc.title == "Council approves budget"
    assert doc.metadata.author == "Jane Reporter"
    assert doc.metadata.date == "2023-05-04"
    assert doc.metadata.site == "Daily Example"
    assert doc.metadata.url == "https://www.example.com/news/budget"
    texts = [p.text for p in doc.paragraphs]
    assert BODY in texts
    assert "First listed point about the spending plan for the coming year." in texts  # list marker gone
    assert not any("Copyright" in t for t in texts)
    assert all("**" not in t for t in texts)


def test_html_without_main_text_is_an_extraction_error():
    import pytest
    from cleaner.extract import ExtractionError
    with pytest.raises(ExtractionError):
        extract(raw("<html><body></body></html>", "html"), CFG)


def test_plain_text_is_one_paragraph_per_line(seed_text):
    doc = extract(raw(seed_text), CFG)
    lines = [line for line in seed_text.splitlines() if line.strip()]
    assert [p.original for p in doc.paragraphs] == lines
    assert doc.format == "text"


def test_hard_wrapped_text_is_joined_into_blocks():
    para1 = ("The city council met on Tuesday to discuss the new budget, which\n"
             "includes funding for parks, roads and a new library in the east\n"
             "of the city. Residents spoke for and against the proposal at\n"
             "length before the final vote was taken late in the evening.")
    para2 = ("The mayor said she was pleased with the outcome and thanked the\n"
             "residents who came to speak during the long public session there.")
    doc = extract(raw(para1 + "\n\n" + para2 + "\n"), CFG)
    assert [p.original for p in doc.paragraphs] == [" ".join(para1.split("\n")), " ".join(para2.split("\n"))]


def test_short_lines_are_not_mistaken_for_wrapping():
    text = "Headline here\n\nBy Staff\nMay 4\n\nFirst paragraph.\nSecond paragraph.\n"
    assert split_paragraphs(text) == ["Headline here", "By Staff", "May 4", "First paragraph.", "Second paragraph."]


def test_crlf_and_cr_line_endings():
    assert split_paragraphs("One.\r\nTwo.\rThree.") == ["One.", "Two.", "Three."]


def test_60000_deep_html_is_flattened_fast_and_keeps_its_text():
    html = "<html><body>" + "<div>" * 60000 + "Deep text paragraph that is long enough to be content here." \
           + "</div>" * 60000 + "</body></html>"
    started = time.monotonic()
    doc = extract(raw(html, "html"), CFG)
    assert time.monotonic() - started < 10
    assert [p.text for p in doc.paragraphs] == ["Deep text paragraph that is long enough to be content here."]


def test_flattening_ignores_scripts_comments_and_implied_ends():
    html = ("<html><body><article>" + "".join(f"<p>Paragraph {i}." for i in range(600))
            + "<script>for(i=0;i<n;i++){if(a<b)x()}</script><!-- <div><div><div> --></article></body></html>")
    assert _flatten_deep_markup(html, 250) == html


def test_unclosed_html_still_extracts():
    html = ("<html><head><title>Unclosed</title><body><article><p>An unclosed paragraph about the "
            "council vote that went on late into the night<p>Second paragraph <b>bold <i>italic")
    doc = extract(raw(html, "html"), CFG)
    assert doc.title == "Unclosed"
    assert doc.paragraphs[0].text.startswith("An unclosed paragraph about the council vote")


def test_very_long_line_is_split_with_a_recorded_repair():
    text = "A sentence of news. " * 5000  # 100,000 characters on one line
    doc = extract(raw(text), CFG)
    assert len(doc.paragraphs) > 1
    assert all(len(p.original) <= MAX_PARAGRAPH_CHARS for p in doc.paragraphs)
    assert "".join(p.original for p in doc.paragraphs) == text.strip() or \
        "".join(p.original for p in doc.paragraphs) == text
    assert all(p.repairs[0].step == "split_long_paragraph" for p in doc.paragraphs)
    assert all(p.original.endswith(". ") for p in doc.paragraphs[:-1])  # cut after sentences


# --- the author search: trafilatura's extract_author, without copying the tree --------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_TAGS = ["div", "span", "a", "p", "section", "time", "figure", "strong", "h3", "author", "address", "li", "b"]
_ATTRS = {
    "class": ["author", "byline", "post-author", "authorName", "comments", "Comments-area", "sidebar", "title",
              "date", "meta-date", "writer", "BBL", "screenname", "print-only", "Byline x", "body"],
    "id": ["author", "comments", "commentlist", "Author-box", "main", "ProductReviews", "zuozhe"],
    "itemprop": ["author", "author name", "headline"],
    "data-component": ["Byline", "Figure", "Text"],
    "rel": ["author", "me", "nofollow"],
    "data-testid": ["AuthorCard", "AuthorURL", "Other"],
}
_TEXTS = ["", "", "By", "Jane Doe", "Jo", " ", "Max Mustermann und Erika Musterfrau", "5 min", "x" * 130,
          "http://example.com/author", "Photo: Ann Lee", "Updated 2023"]


@st.composite
def _author_markup(draw, depth=0):
    tag = draw(st.sampled_from(_TAGS))
    names = draw(st.lists(st.sampled_from(sorted(_ATTRS)), max_size=2, unique=True))
    attrs = "".join(f' {n}="{draw(st.sampled_from(_ATTRS[n]))}"' for n in names)
    inner = draw(st.sampled_from(_TEXTS))
    if depth < 3:
        for child in draw(st.lists(_author_markup(depth + 1), max_size=3)):
            inner += child + draw(st.sampled_from(_TEXTS))
    return f"<{tag}{attrs}>{inner}</{tag}>"


@settings(max_examples=300, deadline=None)
@given(st.lists(_author_markup(), min_size=1, max_size=4))
def test_page_author_finds_what_trafilatura_extract_author_finds(parts):
    import trafilatura.metadata
    import trafilatura.utils

    from cleaner.extract import page_author

    tree = trafilatura.utils.load_html(f"<html><head><title>t</title></head><body>{''.join(parts)}</body></html>")
    assert page_author(tree) == trafilatura.metadata.extract_author(tree)


def test_page_author_reads_a_byline_without_the_parts_trafilatura_prunes():
    import trafilatura.utils

    from cleaner.extract import page_author

    def author(body):
        return page_author(trafilatura.utils.load_html(f"<html><body><p>Text.</p>{body}</body></html>"))

    # a name inside the comments is no byline; the article's byline comes after them
    assert author('<div id="comments"><span class="author">Reader Name</span></div>'
                  '<span class="byline">Jane Doe</span>') == "Jane Doe"
    # the date inside a byline is pruned, and its tail joins the text before it
    assert author('<div class="author">Jane<time>4 May</time>Doe</div>') == "JaneDoe"
    assert author('<div class="author">Jane <time>4 May</time> Doe</div>') == "Jane Doe"
    # an earlier expression wins over a later one, whatever the page order
    assert author('<div class="writer">Ann Lee</div><a rel="author">Jane Doe</a>') == "Jane Doe"
    assert author('<p>No byline here.</p>') is None


# --- the lead the extractor left out ----------------------------------------------------------------

BODY_PARAGRAPHS = [
    *BUDGET_STORY,
    "Regional leaders said they would use the extra year to draw up their own plans for the budget, and several "
    "of them called for a new round of talks in the autumn to settle the remaining questions.",
]
LEAD = ("The government has agreed to delay its new budget rules for the regions by a whole year, after a week of "
        "tense talks with regional leaders who warned of deep cuts.")
PROMO = ("Our journalism is funded by readers like you, and every contribution, however small, keeps our newsroom "
         "independent of owners and advertisers for the years ahead.")


def lead_page(above: str, title: str = "Regions win a year's delay on budget rules", author: str = "") -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS)
    meta = f'<meta name="author" content="{author}">' if author else ""
    return (f"<html><head><title>{title}</title>{meta}</head><body><nav><a href='/'>Home</a></nav>"
            f"<div class='intro'><h1>{title}</h1>{above}<span>June 5, 2024</span></div>"
            f"<article>{paragraphs}</article><footer><p>© 2024 Example News</p></footer></body></html>")


def test_the_lead_the_extractor_left_out_is_brought_back_and_says_so():
    doc = extract(raw(lead_page(f"<p>{LEAD}</p>"), "html"), CFG)
    assert [p.text for p in doc.paragraphs[:2]] == [LEAD, BODY_PARAGRAPHS[0]]
    assert doc.paragraphs[0].restored == "lead" and not doc.paragraphs[1].restored
    assert LEAD not in [b.text for b in doc.left_out]
    assert [b.before for b in doc.left_out if b.text == "June 5, 2024"] == [1]  # still between lead and body


def test_a_lead_in_german_is_brought_back_too():
    lead = ("Die Regierung verschiebt die neuen Haushaltsregeln für die Regionen um ein ganzes Jahr, nachdem die "
            "Länder in tagelangen Gesprächen vor tiefen Einschnitten gewarnt hatten.")
    title = "Regionen erreichen Aufschub der Haushaltsregeln"
    body = ["Im Finanzministerium hieß es, der Aufschub gebe den Kommunen Zeit, sich auf die Regeln vorzubereiten, "
            "und die Zentralbank sei zu den Folgen für die Kreditkosten befragt worden.",
            "Die Opposition begrüßte die Entscheidung, sagte aber, sie gehe nicht weit genug, und forderte, die "
            "Regeln ganz abzuschaffen und den Regionen mehr Kontrolle über ihre Ausgaben zu geben."] * 2
    page = lead_page(f"<p>{lead}</p>", title=title).replace(
        "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS), "".join(f"<p>{p}</p>" for p in body))
    doc = extract(raw(page, "html"), CFG)
    assert doc.paragraphs[0].text == lead and doc.paragraphs[0].restored == "lead"


def test_a_lead_in_the_articles_header_above_its_picture_is_brought_back():
    """The standfirst often sits in the article's `<header>`, and the lead picture's caption
    between it and the body."""
    caption = "Regional leaders arrive for the talks at the finance ministry in the capital on Monday morning."
    page = lead_page("").replace(
        "<div class='intro'>", "<div class='intro'><header>").replace(
        "<span>June 5, 2024</span></div>",
        f"<p>{LEAD}</p></header><span>June 5, 2024</span>"
        f"<figure><img src='a.jpg'><figcaption>{caption}</figcaption></figure></div>")
    doc = extract(raw(page, "html"), CFG)
    assert [p.text for p in doc.paragraphs[:2]] == [LEAD, BODY_PARAGRAPHS[0]]
    assert doc.paragraphs[0].restored == "lead"
    assert [(b.reason, b.before) for b in doc.left_out if b.text == caption] == [("caption", 1)]


def test_a_block_that_shares_only_the_sites_name_with_the_headline_stays_left_out():
    """Titles carry the site's name ("Headline · Site"); a block about the site names it too."""
    blurb = ("The Example Gazette has been printed every morning since 1902 and is delivered to "
             "families in every town of the valley by our own carriers.")
    page = lead_page(f"<p>{blurb}</p>", title="Regions win a year's delay on budget rules · Example Gazette").replace(
        "<head>", "<head><meta property='og:site_name' content='Example Gazette'>")
    doc = extract(raw(page, "html"), CFG)
    assert doc.metadata.site == "Example Gazette"
    assert doc.paragraphs[0].text == BODY_PARAGRAPHS[0] and not any(p.restored for p in doc.paragraphs)
    assert blurb in [b.text for b in doc.left_out]


def test_what_is_not_the_articles_lead_stays_left_out():
    """An appeal that speaks of something else, a block the markup calls a sidebar, the author's box."""
    bio = ("Jane Roe covers the regions and their budget talks for the paper, and before that she reported on "
           "the delay of the last budget rules from the capital.")
    for above, author in [(f"<p>{PROMO}</p>", ""), (f"<aside><p>{LEAD}</p></aside>", ""), (f"<p>{bio}</p>", "Jane Roe")]:
        doc = extract(raw(lead_page(above, author=author), "html"), CFG)
        assert doc.paragraphs[0].text == BODY_PARAGRAPHS[0], above
        assert not any(p.restored for p in doc.paragraphs)


MORE_PARAGRAPHS = [
    "Councils in the north said the extra year would let them finish the school building programme they had "
    "started before the rules were announced, and avoid closing libraries.",
    "Economists said the delay would add little to the national debt, because the regions had already cut their "
    "borrowing over the past two years and kept their spending within the old limits.",
]


def split_body_page(second_class: str = "article-body", second: list[str] = MORE_PARAGRAPHS) -> str:
    """A body in two elements of one kind with a promotion between them: the extractor keeps the first."""
    first = "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS)
    rest = "".join(f"<p>{p}</p>" for p in second)
    return (f"<html><body><div class='page'><section class='article-body'>{first}</section>"
            f"<aside class='promo'><p>Read this next</p></aside>"
            f"<section class='{second_class}'>{rest}</section></div></body></html>")


def test_prose_in_the_articles_own_containers_is_brought_back_in_page_order():
    doc = extract(raw(split_body_page(), "html"), CFG)
    assert [p.text for p in doc.paragraphs] == BODY_PARAGRAPHS + MORE_PARAGRAPHS
    assert [p.restored for p in doc.paragraphs] == [None] * 4 + ["article-container"] * 2
    assert [(b.text, b.before) for b in doc.left_out] == [("Read this next", 4)]


def test_prose_in_other_containers_stays_left_out():
    doc = extract(raw(split_body_page(second_class="partner-content"), "html"), CFG)
    assert [p.text for p in doc.paragraphs] == BODY_PARAGRAPHS
    assert [b.text for b in doc.left_out if b.reason == "outside-main-text"] == MORE_PARAGRAPHS


BOX_ON_TOPIC = ("The delay to the budget rules gives the regions one more year of talks with the finance ministry "
                "about their spending plans and the cost of their borrowing.")
BOX_OFF_TOPIC = ("Our shop offers garden furniture, barbecue grills and outdoor lighting at low prices, with free "
                 "delivery on every order placed before the end of the summer season.")


def boxed_page(box: str) -> str:
    """Prose in a box of its own between the article's paragraphs: the extractor leaves it out."""
    first = "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS[:2])
    rest = "".join(f"<p>{p}</p>" for p in BODY_PARAGRAPHS[2:])
    return f"<html><body><article>{first}<div class='infobox'><span>{box}</span></div>{rest}</article></body></html>"


def test_on_topic_prose_between_kept_paragraphs_comes_back_and_other_prose_stays_out():
    doc = extract(raw(boxed_page(BOX_ON_TOPIC), "html"), CFG)
    assert [p.text for p in doc.paragraphs] == BODY_PARAGRAPHS[:2] + [BOX_ON_TOPIC] + BODY_PARAGRAPHS[2:]
    assert doc.paragraphs[2].restored == "between-paragraphs"
    doc = extract(raw(boxed_page(BOX_OFF_TOPIC), "html"), CFG)
    assert [p.text for p in doc.paragraphs] == BODY_PARAGRAPHS
    assert [b.text for b in doc.left_out] == [BOX_OFF_TOPIC]


def test_a_block_that_repeats_kept_paragraphs_stays_out():
    """A summary stringing two kept paragraphs together would say them twice."""
    summary = " ".join(BODY_PARAGRAPHS[:2])
    doc = extract(raw(boxed_page(summary), "html"), CFG)
    assert [p.text for p in doc.paragraphs] == BODY_PARAGRAPHS and not any(p.restored for p in doc.paragraphs)


# --- the main text on the parsed tree itself, without trafilatura's copy of it --------------

_COMMENTED = PAGE.replace("</article>", '</article><div id="comments" class="comments"><p>'
                          + "A reader wrote a long comment about the budget and the vote. " * 3 + "</p></div>")


def test_main_text_on_the_tree_is_bare_extractions_text():
    import pytest
    import trafilatura
    import trafilatura.utils

    from cleaner import extract as X

    assert X._mirrors_bare_extraction(trafilatura.core), "another trafilatura: update _BARE_EXTRACTION"
    pages = [PAGE, _COMMENTED, "<html><body><p>Too short.</p></body></html>",
             "<html><body>" + "".join(f"<div><p>Item {i} of a list page.</p></div>" for i in range(40)) + "</body></html>"]
    configs = [CFG, ExtractConfig(include_comments=True), ExtractConfig(favor_precision=True),
               ExtractConfig(favor_recall=True), ExtractConfig(include_tables=False)]
    for page in pages:
        for config in configs:
            expected = trafilatura.bare_extraction(
                trafilatura.utils.load_html(page), url="https://example.com/a", include_comments=config.include_comments,
                include_tables=config.include_tables, favor_precision=config.favor_precision,
                favor_recall=config.favor_recall, deduplicate=False, with_metadata=False,
                include_formatting=False, output_format="python")
            got = X._main_text(trafilatura, trafilatura.utils.load_html(page), "https://example.com/a", config)
            assert (got is None) == (expected is None)
            if got is not None:
                assert (got.text, got.comments) == (expected.text, expected.comments)
    # another trafilatura's bare_extraction is called as it is
    X._mirrors_bare_extraction.cache_clear()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(X, "_BARE_EXTRACTION", "0" * 16)
        tree = trafilatura.utils.load_html(PAGE)
        assert BODY in X._main_text(trafilatura, tree, None, CFG).text
        assert BODY in " ".join(tree.itertext())  # worked on a copy
    X._mirrors_bare_extraction.cache_clear()


def test_the_parser_gives_lxml_htmls_classes_by_a_lookup_in_c():
    from lxml import etree, html

    from cleaner import extract as X

    trafilatura = X._trafilatura()
    page = ("<html><head><title>t</title></head><body><FORM action='/'><Input name='q'><label>L</label>"
            "<select><option>o</option></select><TextArea>x</TextArea></FORM><svg><foreignObject/></svg>"
            "<p>Text &amp; more<!-- a comment --></p><math><mi>x</mi></math><custom-tag>y</custom-tag></body></html>")
    tree = trafilatura.utils.load_html(page)
    python_lookup = html.HtmlElementClassLookup()
    tags = set()
    for el in tree.iter():
        tags.add(el.tag)
        assert type(el) is python_lookup.lookup("element", None, None, el.tag)
    assert {"form", "input", "label", "select", "textarea"} <= tags  # lower case, as registered
    # comments, which a parser keeps with other options
    parser = html.HTMLParser(remove_comments=False)
    X._class_lookup_in_c(parser)
    kept = etree.fromstring("<html><body><p>a<!-- c -->b</p></body></html>", parser)
    assert [type(n) for n in kept.iter() if not isinstance(n.tag, str)] == [html.HtmlComment]
