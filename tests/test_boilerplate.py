"""Behaviour of the boilerplate stage: rules, structure, tail, context, corpus repeats."""
from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

from cleaner.boilerplate import REASONS, classify, mark_corpus_repeats
from cleaner.boilerplate.features import detect_language, tokens
from cleaner.boilerplate.rules import RULES
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Metadata, Paragraph, Verdict
from conftest import BUDGET_STORY

DATA = Path(__file__).parent / "data"
CONFIG = BoilerplateConfig()

LEAD = [
    "The government said on Tuesday that it would delay the new budget rules by a year, after a week of talks "
    "with regional leaders who had warned that the plan would force deep cuts to local services.",
    *BUDGET_STORY,
]
TITLE = "Government delays budget rules after talks with regions"


def doc_of(lines: list[str], fmt: str = "text", title: str | None = None, **kw) -> Document:
    return Document(id=kw.pop("id", "d"), source=kw.pop("source", "in/d.txt"), format=fmt, title=title,
                    paragraphs=[Paragraph(original=l) for l in lines], **kw)


def verdicts(doc: Document) -> dict[str, str]:
    return {p.text: (p.reason or p.verdict.value) for p in doc.paragraphs}


def must_keep_lines() -> list[str]:
    return [l for l in (DATA / "must_keep.txt").read_text(encoding="utf-8").splitlines()
            if l.strip() and not l.startswith("#")]


# --- must not change -------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "html"])
def test_must_keep_paragraphs_survive_inside_an_article(fmt):
    keep = must_keep_lines()
    body = []
    for k, line in enumerate(keep):
        body += [LEAD[k % 4], line]
    doc = doc_of([TITLE, *body, LEAD[0]], fmt, title=TITLE if fmt == "html" else None)
    classify(doc, CONFIG)
    lost = [(p.text, p.reason) for p in doc.paragraphs if p.text in keep and p.verdict is not Verdict.KEEP]
    assert lost == []


@pytest.mark.parametrize("line", must_keep_lines())
def test_no_rule_matches_a_must_keep_paragraph(line):
    assert [name for name, fn in RULES.items() if fn(line)] == []


# --- the headline and its repeats -----------------------------------------------------------------

def test_text_headline_is_title_and_its_repeats_are_dropped():
    doc = doc_of([TITLE, "9 min read", TITLE.lower(), "By Jane Roe", *LEAD])
    classify(doc, CONFIG)
    assert doc.title == TITLE
    v = verdicts(doc)
    assert v[TITLE] == "title"
    assert v[TITLE.lower()] == "repeated-headline"
    assert v["9 min read"] == "reading-time"
    assert v["By Jane Roe"] == "byline"
    assert all(v[l] == "keep" for l in LEAD)


def test_document_without_headline_keeps_its_first_paragraph():
    doc = doc_of(LEAD)
    classify(doc, CONFIG)
    assert doc.title is None
    assert all(p.verdict is Verdict.KEEP for p in doc.paragraphs)


def test_html_title_repeat_is_dropped_but_body_untouched():
    doc = doc_of([TITLE + " | The Daily Example", *LEAD], "html", title=TITLE)
    classify(doc, CONFIG)
    assert doc.paragraphs[0].reason == "repeated-headline"
    assert [p.text for p in doc.body] == LEAD


# --- captions, metadata, counters ----------------------------------------------------------------

def test_caption_fragment_that_is_part_of_a_neighbour_is_dropped():
    doc = doc_of([TITLE, LEAD[0], "regional leaders who had warned", LEAD[1], LEAD[2]])
    classify(doc, CONFIG)
    assert verdicts(doc)["regional leaders who had warned"] == "caption"


def test_subheading_restated_in_its_section_is_not_a_caption_in_an_article_of_sections():
    more = ["Regional leaders said they would study the revised timetable closely before deciding whether to "
            "support it, and several asked for written guarantees about the money promised to their councils.",
            "Economists said the delay would cost little in the short run, but warned that markets would watch "
            "closely for any sign that the government was losing its grip on spending across the regions."]
    heads = ["The central bank", "Opposition response", "In parliament next week",
             "Reaction in the regions", "What economists expect"]
    body = [TITLE, LEAD[0]]
    for head, para in zip(heads, [*LEAD[1:], *more]):
        body += [head, para]
    doc = doc_of(body)
    classify(doc, CONFIG)
    assert "central bank" in LEAD[1]  # that subheading's words recur inside its paragraph
    assert {h: verdicts(doc)[h] for h in heads} == {h: "keep" for h in heads}


@pytest.mark.parametrize("line,reason", [
    ("14 Comments", "counter"), ("12 likes", "counter"), ("Updated 16 June 2023", "dateline-metadata"),
    ("Photo: Jane Doe/Reuters", "photo-credit"), ("Share on Facebook", "share-widget"),
    ("Leave a Reply", "comment-widget"), ("Related Posts", "related-links"), ("Advertisement", "advertisement"),
    ("Subscribe to our newsletter", "newsletter"),
    ("Enter your email address to follow this blog and receive notifications of new posts by email.", "newsletter"),
    ("Geben Sie Ihre E-Mail-Adresse an, um diesen Blog zu abonnieren.", "newsletter"),
    ("Recibe cada mañana las noticias más importantes en tu correo electrónico.", "newsletter"),
    ("Recevez chaque semaine notre newsletter dans votre boîte mail.", "newsletter"),
    ("© 2019 Example Media. All rights reserved.", "copyright"),
    ("Home > World > Asia", "breadcrumb"), ("Load More In China", "navigation"),
])
def test_widget_lines_are_dropped_with_their_reason(line, reason):
    doc = doc_of([TITLE, LEAD[0], line, LEAD[1], LEAD[2]])
    classify(doc, CONFIG)
    assert verdicts(doc)[line] == reason


# --- where the article ends -----------------------------------------------------------------------

OTHER = [
    "KYIV: Missile and drone attacks overnight killed at least one person in the north of the country, local "
    "officials said, as emergency crews worked to restore heating to apartment blocks.",
    "A man was killed in a drone strike on a village near the border on Saturday night, while power lines "
    "were damaged in two central districts, leaving thousands of homes without electricity.",
    "Engineers said repairs to the damaged substations could take several days, and residents were urged to "
    "conserve energy during the coldest hours of the evening.",
]


def test_appended_story_after_a_new_dated_headline_is_dropped():
    head = "Drone attacks kill one as engineers race to restore power"
    doc = doc_of([TITLE, *LEAD, head, "Updated 3 sec ago", "Follow", head, *OTHER])
    classify(doc, CONFIG)
    v = verdicts(doc)
    assert all(v[l] == "keep" for l in LEAD)
    assert all(v[l] == "appended-story" for l in OTHER)
    assert v[head] == "appended-story"


def test_teaser_list_after_check_also_is_dropped():
    teaser = "Parliament to vote on new housing plan"
    cut = "The housing plan, which would allow building on farmland near big cities, faces strong opposition fro…"
    doc = doc_of([TITLE, *LEAD, "Check Also", teaser, cut])
    classify(doc, CONFIG)
    v = verdicts(doc)
    assert v["Check Also"] == "related-links"
    assert v[teaser] != "keep" and v[cut] != "keep"


def test_related_heading_mid_article_does_not_cut_the_body():
    doc = doc_of([TITLE, LEAD[0], LEAD[1], "Related Posts", LEAD[2], LEAD[3]])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD


@pytest.mark.parametrize("insert", ["Read more: Council approves bridge repairs", "Advertisement",
                                    "Photo: Jane Roe/Reuters"])
def test_subheading_after_an_inline_insert_stays(insert):
    """The context pass sees through a link, an advert or a credit set inside the text."""
    doc = doc_of([TITLE, LEAD[0], LEAD[1], insert, "Regions push back", LEAD[2], LEAD[3]])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [LEAD[0], LEAD[1], "Regions push back", LEAD[2], LEAD[3]]


def test_full_page_navigation_around_the_article_is_dropped():
    nav = ["* Home", "* World", "* Business", "* Sport", "* Opinion", "Search"]
    foot = ["About Us / Contact / Privacy Policy", "* Facebook", "* Twitter", "© 2024 Example"]
    doc = doc_of([*nav, TITLE, "By Jane Roe", "June 5, 2024", *LEAD, *foot])
    classify(doc, CONFIG)
    assert doc.title == TITLE
    assert [p.text for p in doc.body] == LEAD


@pytest.mark.parametrize("signature", ["— Jane Roe (@janeroe) June 5, 2024", "— Olaf Beispiel (@olafb) 5. Juni 2024"])
def test_the_signature_of_a_post_that_ends_the_article_stays_with_it(signature):
    """An article that ends by quoting a social-media post keeps the line that signs the post."""
    post = "Regions deserve a say in their own budgets, and a year gives everyone time to get this right."
    nav = ["* Home", "* World", "* Business", "* Sport", "* Opinion", "Search"]
    tail = ["Updated at 1:23 p.m.", "Tags budget regions", "About Us / Contact / Privacy Policy", "© 2024 Example"]
    doc = doc_of([*nav, TITLE, "By Jane Roe", "June 5, 2024", *LEAD, post, signature, *tail])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [*LEAD, post, signature]
    doc = doc_of([*nav, TITLE, "By Jane Roe", "June 5, 2024", *LEAD, "Follow us", signature, *tail])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD  # no post above it: not the article's


def test_comment_thread_after_article_is_dropped():
    comments = ["Comments", "* Alex on September 17, 2018 at 6:34 am said:",
                "I really think the regions have a point here, and the government should listen to them more "
                "carefully before it makes the next decision about spending and taxes for everyone.",
                "* Sam on September 18, 2018 at 9:01 pm said:",
                "Another delay is the last thing we need, the rules were agreed years ago and councils have had "
                "plenty of time to prepare for them, so I do not understand the argument at all."]
    doc = doc_of([TITLE, *LEAD, *comments])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD


# --- the author's box ------------------------------------------------------------------------------

BIOS = [  # (byline, name line, the author's box), in several languages
    ("By Jane Roe", "Jane Roe", "Jane Roe is a senior writer covering public finance and regional government. "
     "She previously reported on housing for a local daily."),
    ("Von Max Müller", "Max Müller", "Max Müller ist seit 2015 Redakteur im Ressort Politik und berichtet über "
     "Haushalt, Steuern und die Finanzen der Länder."),
    ("Por Ana Lima", "Ana Lima", "Ana Lima é jornalista de economia e cobre orçamento público, impostos e as "
     "contas dos estados há dez anos."),
]
TEASERS = ["* Parliament to vote on new housing plan", "* Council approves bridge repairs", "Support our journalism"]


@pytest.mark.parametrize("byline, name, bio", BIOS)
def test_author_box_after_the_article_is_dropped_with_what_follows(byline, name, bio):
    doc = doc_of([TITLE, byline, *LEAD, name, bio, *TEASERS])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD


def test_author_box_is_named_and_closes_the_article():
    byline, name, bio = BIOS[0]
    doc = doc_of([TITLE, byline, *LEAD, name, bio, *TEASERS])
    classify(doc, CONFIG)
    v = verdicts(doc)
    assert v[name] == v[bio] == "author-box" and all(v[t] == "after-article" for t in TEASERS)


def test_author_box_of_an_html_page_is_named_from_its_metadata_author():
    name, bio = BIOS[0][1:]
    doc = doc_of([*LEAD, bio], fmt="html", title=TITLE, metadata=Metadata(author=name))
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD and verdicts(doc)[bio] == "author-box"


def test_paragraphs_opening_with_other_names_or_early_stay():
    """A profile of another person, the author's name in the lead, a desk as the author."""
    profile = ("Max Weber arbeitete viele Jahre als Richter am Landgericht und wechselte dann in die Politik, "
               "wo er sich für die Finanzen der Länder einsetzte.")
    lead = "Jane Roe, who has covered the talks for a decade, said the delay was the longest she had seen so far."
    doc = doc_of([TITLE, "By Jane Roe", lead, *LEAD, profile])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [lead, *LEAD, profile]
    desk = "The Local is an independent news site for readers in Sweden, written in English by local reporters."
    doc = doc_of([*LEAD, desk], fmt="html", title=TITLE, metadata=Metadata(author="The Local"))
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [*LEAD, desk]


# --- languages ------------------------------------------------------------------------------------

def test_stop_lists_are_justexts_own():
    import justext

    from cleaner.boilerplate.features import _stop_words, stoplist

    lists = {lang: stoplist(lang) for lang in _stop_words()}
    assert sorted(lists) == sorted(justext.get_stoplists()) and len(lists) >= 100
    assert all(lists[lang] == justext.get_stoplist(lang) for lang in lists)


def test_language_is_detected_from_jusText_stoplists():
    assert detect_language(tokens("o governo disse que não vai aumentar os impostos para as empresas")) == "Portuguese"
    assert detect_language(tokens("정부는 이번 조치가 물가 안정에 도움이 될 것이라고 밝혔다 그리고 이 문제는 계속 논의될 것이다")) == "Korean"


def test_portuguese_article_is_kept_and_its_widgets_dropped():
    body = [
        "O governo anunciou nesta terça-feira que vai adiar as novas regras do orçamento por um ano, depois de "
        "uma semana de negociações com os governadores, que temiam cortes nos serviços locais.",
        "Segundo o ministério da Fazenda, o adiamento dará aos municípios mais tempo para se preparar, e o banco "
        "central foi consultado sobre o efeito nos custos dos empréstimos nos próximos meses.",
        "Os partidos da oposição elogiaram a decisão, mas disseram que ela não vai longe o suficiente e que as "
        "regras deveriam ser abandonadas e substituídas por um sistema que dê mais controle às regiões.",
    ]
    doc = doc_of(["* Início", "* Política", "Governo adia regras do orçamento", "Por João Silva",
                  "5 minutos de leitura", *body, "Leia também", "Compartilhe", "Deixe seu comentário"])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == body


# --- configuration --------------------------------------------------------------------------------

def test_disabled_rule_is_not_applied():
    config = BoilerplateConfig(disabled_rules=("advertisement",))
    doc = doc_of([TITLE, LEAD[0], "Advertisement", LEAD[1]], "html", title=TITLE)
    classify(doc, config)
    assert verdicts(doc)["Advertisement"] == "keep"


def test_extra_patterns_drop_whole_matching_paragraphs_as_user_pattern():
    config = BoilerplateConfig(extra_patterns=(r"Brought to you by .+",))
    doc = doc_of([LEAD[0], "Brought to you by Acme Corp", LEAD[1]], "html", title=TITLE)
    classify(doc, config)
    assert verdicts(doc)["Brought to you by Acme Corp"] == "user-pattern"
    assert verdicts(doc)[LEAD[0]] == "keep"


# --- corpus repeats -------------------------------------------------------------------------------

TOWNS = ["Ashford", "Bexley", "Carlow", "Dunmore", "Elgin", "Fenwick"]


def test_corpus_repeats_drop_site_template_lines_but_not_body():
    docs = []
    for k, town in enumerate(TOWNS[:5]):
        body = [f"The council in {town} said on Tuesday that it would delay the new budget rules by a year after "
                f"talks with residents.", f"Officials in {town} told reporters that the delay would give schools "
                f"time to prepare for the changes."]
        lines = [f"Daily Example Edition {k + 1}", *body, "Part of the Example Network"]
        docs.append(doc_of(lines, "html", title=TITLE, id=f"d{k}",
                           metadata=Metadata(url=f"https://www.example.com/news/{k}")))
    mark_corpus_repeats(docs, CONFIG)
    for d in docs:
        v = verdicts(d)
        assert v["Part of the Example Network"] == "corpus-repeat"
        assert v[d.paragraphs[0].text] == "corpus-repeat"  # digits are folded
        assert v[d.paragraphs[1].text] == "keep" and v[d.paragraphs[2].text] == "keep"


def test_corpus_repeats_spare_short_body_lines_of_syndicated_copies():
    docs = [doc_of([LEAD[0], "He declined to comment.", LEAD[1]], "html", title=TITLE, id=f"copy{k}",
                   metadata=Metadata(site="wire")) for k in range(6)]
    mark_corpus_repeats(docs, CONFIG)
    assert all(p.verdict is Verdict.KEEP for d in docs for p in d.paragraphs)


def test_corpus_repeats_need_enough_documents():
    docs = [doc_of(["Part of the Example Network", LEAD[0]], "html", title=TITLE, id=f"d{k}") for k in range(2)]
    mark_corpus_repeats(docs, CONFIG)
    assert all(p.verdict is Verdict.KEEP for d in docs for p in d.paragraphs)


# --- reasons and doctests -------------------------------------------------------------------------

def test_every_reason_recorded_on_the_seeds_is_a_known_name():
    seeds = sorted(Path("/work/shared/seeds").glob("*.txt"))
    if not seeds:
        pytest.skip("seeds not available")
    for path in seeds:
        doc = doc_of([l for l in path.read_text(encoding="utf-8").splitlines() if l.strip()])
        classify(doc, CONFIG)
        assert {p.reason for p in doc.paragraphs if p.reason} <= set(REASONS)


@pytest.mark.parametrize("module", ["features", "rules", "structure", "context", "tail", "corpus", "author"])
def test_doctests(module):
    mod = importlib.import_module(f"cleaner.boilerplate.{module}")
    result = doctest.testmod(mod)
    assert result.failed == 0 and result.attempted > 0


# --- tables, leads, teaser lists -----------------------------------------------------------------

def test_results_table_inside_the_article_is_kept():
    rows = [f"{k} Team {name} {40 - k} points" for k, name in enumerate(["Alpha", "Bravo", "Charlie", "Delta",
                                                                         "Echo", "Foxtrot"], 1)]
    nav = ["* Home", "* Results", "* Fixtures", "* Teams", "* Contact"]
    doc = doc_of([*nav, TITLE, LEAD[0], *rows, LEAD[1], "© 2024 Example"])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [LEAD[0], *rows, LEAD[1]]


def test_lead_separated_from_the_body_by_a_byline_box_is_kept():
    lead = "The finance minister said the delay would cost the treasury nothing this year, and little after that."
    doc = doc_of(["* Home", "* News", TITLE, lead, "Jane Roe", "Political reporter", "@janeroe", *LEAD])
    classify(doc, CONFIG)
    assert doc.title == TITLE
    assert lead in [p.text for p in doc.body]


def test_standfirst_above_the_headline_is_kept():
    standfirst = "Regional leaders won a year's delay to the budget rules after a week of tense talks with ministers."
    doc = doc_of(["* Home", "* News", "Politics", standfirst, TITLE, "By Jane Roe", "June 5, 2024", *LEAD])
    classify(doc, CONFIG)
    assert doc.title == TITLE
    assert [p.text for p in doc.body] == [standfirst, *LEAD]


def test_teaser_list_of_headlines_with_summaries_after_the_article_is_dropped():
    teasers = []
    for head, summary in [
        ("Storm knocks out power across the coast",
         "Thousands of homes lost electricity overnight as winds of up to 90mph battered coastal towns, "
         "and engineers warned repairs could take days."),
        ("Football club appoints new manager",
         "The club confirmed on Wednesday that its former assistant coach will take charge of the first team "
         "until the end of the season."),
        ("Scientists find water ice on distant moon",
         "Observations from the space telescope suggest that a thick layer of ice lies beneath the surface, "
         "raising hopes of finding simple life."),
    ]:
        teasers += [head, summary]
    doc = doc_of([TITLE, *LEAD, *teasers])
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == LEAD
    assert {p.reason for p in doc.paragraphs if p.text in teasers} == {"teaser"}


def test_paragraph_quoting_the_headline_is_not_a_repeat():
    quoting = f"Readers asked why the story ran as {TITLE.lower()} on the front page."
    doc = doc_of([TITLE, LEAD[0], quoting, LEAD[1]], "html", title=TITLE)
    classify(doc, CONFIG)
    assert verdicts(doc)[quoting] == "keep"


def test_config_rejects_a_bad_user_pattern():
    with pytest.raises(ValueError, match="extra_patterns"):
        BoilerplateConfig(extra_patterns=("(unclosed",))


def test_disabling_a_structural_reason_keeps_those_lines():
    nav = ["* Business", "* Sport", "* Culture", "* Travel"]  # no rule names these
    doc = doc_of([*nav, TITLE, *LEAD], "text")
    classify(doc, BoilerplateConfig(disabled_rules=("before-article", "short-fragment")))
    assert all(p.verdict is not Verdict.DROP for p in doc.paragraphs[:4])


def test_a_title_given_with_a_text_record_stands_and_its_repeat_is_dropped():
    doc = doc_of([TITLE, *LEAD], "text", title=TITLE)
    classify(doc, CONFIG)
    assert doc.title == TITLE
    assert doc.paragraphs[0].reason == "repeated-headline"
    assert [p.text for p in doc.body] == LEAD


def test_run_of_underlined_link_lines_in_extracted_html_is_a_link_list():
    links = ["<u>15 Amazing Images of Stars</u>", "<u>11 Facts About Our Galaxy</u>"]
    doc = doc_of([*LEAD[:2], *links, LEAD[2]], "html", title=TITLE)
    classify(doc, CONFIG)
    assert [verdicts(doc)[l] for l in links] == ["related-links", "related-links"]
    assert [p.text for p in doc.body] == LEAD[:3]


def test_html_opening_headline_reworded_from_the_metadata_title_is_dropped():
    onpage = "Regions win a year's delay to the government's new budget rules"
    doc = doc_of([onpage, *LEAD], "html", title="Government delays budget rules for regions by a year")
    classify(doc, CONFIG)
    assert doc.paragraphs[0].reason == "repeated-headline"
    assert [p.text for p in doc.body] == LEAD


def test_an_opening_sentence_that_quotes_the_headlines_words_is_not_a_reworded_headline():
    """A sentence ending inside brackets or quotes is a sentence, whatever words it shares."""
    opening = "The regions quoted the government's budget rules delay. (Read the full statement here.)"
    doc = doc_of([opening, *LEAD], "html", title="Government delays budget rules for regions by a year")
    classify(doc, CONFIG)
    assert [p.text for p in doc.body] == [opening, *LEAD]


def test_teaser_list_after_the_article_is_named_teaser():
    from cleaner.boilerplate import classify
    from cleaner.config import BoilerplateConfig
    from cleaner.models import Document, Paragraph
    body = [
        "City council votes to expand the night bus network",
        "The city council voted on Tuesday to expand the night bus network to six more districts, "
        "a plan that transport officials say will cost about 4 million euros a year.",
        "Supporters of the plan said late-shift workers in hospitals and restaurants had waited "
        "years for a way home that did not involve an expensive taxi ride.",
        "Opponents argued that the money would be better spent on repairing existing stations, "
        "several of which have lacked working lifts since the spring.",
        "The first new routes are expected to start running in March, the council said.",
        "You May Also Like",
        "Harbour festival returns with record number of boats",
        "Organisers of the annual harbour festival said this year's event drew more sailing ships than…",
    ]
    doc = Document(id="d", source="d", format="text", paragraphs=[Paragraph(original=t) for t in body])
    classify(doc, BoilerplateConfig())
    reasons = [p.reason for p in doc.paragraphs[-2:]]
    assert reasons == ["teaser", "teaser"]
    assert all(p.kept for p in doc.paragraphs[1:5])


def test_a_lead_brought_back_above_the_repeated_headline_stays():
    """Lines above the headline in extracted HTML are sidebar matter, but not a lead that
    cleaner brought back on its own evidence."""
    sidebar = "Council approves bridge repairs after a long debate in the town hall on Monday evening."
    doc = Document(id="d", source="d.html", format="html", title=TITLE,
                   paragraphs=[Paragraph(original=sidebar), Paragraph(original=LEAD[0], restored="lead"),
                               Paragraph(original=TITLE), *[Paragraph(original=l) for l in LEAD[1:]]])
    classify(doc, CONFIG)
    v = verdicts(doc)
    assert v[sidebar] == "before-article" and v[TITLE] == "repeated-headline"
    assert [p.text for p in doc.body] == LEAD
