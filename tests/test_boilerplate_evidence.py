"""The evidence the large or risky boilerplate decisions need, on full-page text.

Each test puts one situation that looks like boilerplate to a simpler rule inside an
otherwise ordinary page, and checks that the real text stays (and that the same situation
without its saving evidence is still removed, so the test can fail)."""
from __future__ import annotations

from cleaner.boilerplate import classify
from cleaner.config import BoilerplateConfig
from cleaner.models import Document, Paragraph

CONFIG = BoilerplateConfig()

TITLE = "Regional council approves new tram line after long debate"
LEAD = [
    "The regional council voted on Thursday to build a new tram line through the eastern districts, ending "
    "a debate that had divided the coalition for more than two years.",
    "The line will connect the main station with three housing estates and a hospital, and is expected to "
    "carry about 40,000 passengers a day when it opens at the end of the decade.",
    "Supporters said the project would cut traffic on the ring road, while critics warned that the cost "
    "estimate of 480 million euros was likely to rise before construction began.",
    "The council's transport committee will now draw up a timetable for the public consultation, which "
    "must be completed before the first contracts can be awarded next year.",
]
OTHER = [
    "The home side scored twice in the last ten minutes to win the derby, lifting them to third place in "
    "the table after a difficult start to the season.",
    "Their coach praised the young striker who came off the bench to score the winner, his first goal for "
    "the club since joining from the second division in the summer.",
    "The visitors, who had led for most of the match, will now face a tense final month as they try to "
    "avoid relegation for the second year running.",
]
OTHER_HEAD = "Late goals settle the derby as home side climb to third"


def doc_of(lines: list[str]) -> Document:
    return Document(id="d", source="in/d.txt", format="text", paragraphs=[Paragraph(original=l) for l in lines])


def verdicts(doc: Document) -> dict[str, str]:
    return {p.text: (p.reason or p.verdict.value) for p in doc.paragraphs}


def classified(lines: list[str]) -> dict[str, str]:
    doc = doc_of(lines)
    classify(doc, CONFIG)
    return verdicts(doc)


# --- appended story ---------------------------------------------------------------------------------

def test_a_dated_story_after_the_article_is_cut():
    v = classified([TITLE, *LEAD, OTHER_HEAD, "12 March 2024", *OTHER])
    assert all(v[l] == "keep" for l in LEAD)
    assert all(v[l] == "appended-story" for l in OTHER)


def test_a_list_item_is_not_the_headline_of_an_appended_story():
    v = classified([TITLE, *LEAD, "* " + OTHER_HEAD, "12 March 2024", *OTHER])
    assert all(v[l] != "appended-story" for l in OTHER)


def test_a_label_repeated_down_the_page_is_not_the_headline_of_an_appended_story():
    gallery = "Pictures of the week"
    lines = [TITLE, *LEAD]
    for day in range(1, 5):
        lines += [gallery, f"{day} March 2024", f"Caption of picture number {day} taken in the old town square"]
    v = classified(lines + OTHER)
    assert all(v[l] != "appended-story" for l in OTHER)


def test_a_headline_unrelated_to_the_text_before_leaves_the_later_story_alone():
    """A menu line taken for the page headline says nothing about which story is the page's
    own, so nothing is cut as appended."""
    menu = "Menu Close menu Search"
    v = classified([menu, *LEAD, OTHER_HEAD, "12 March 2024", *OTHER])
    assert all(v[l] != "appended-story" for l in OTHER)


def test_without_a_headline_no_later_story_is_cut():
    """Nothing says which of two stories is the page's own: both stay."""
    v = classified(["Home", *LEAD, OTHER_HEAD, "12 March 2024", *OTHER])
    assert all(v[l] == "keep" for l in LEAD + OTHER)


# --- the headline -----------------------------------------------------------------------------------

def titled(lines: list[str]) -> str | None:
    doc = doc_of(lines)
    classify(doc, CONFIG)
    return doc.title


def test_a_line_sharing_no_word_with_the_article_is_not_its_headline():
    menu = "Register now for free access today"
    assert titled(["Home", menu, *LEAD]) is None
    assert titled(["Home", TITLE, menu, *LEAD]) == TITLE


def test_a_headline_sharing_only_word_stems_with_the_article_is_its_headline():
    head = "Tramways to cross the east"  # "tram", "eastern" in the text
    assert titled(["Home", head, *LEAD]) == head


# --- captions and subheadings -----------------------------------------------------------------------

def test_a_subheading_its_section_restates_is_not_a_caption_fragment():
    head = "The eastern depot"
    section = ("The eastern depot will be built on the site of a former freight yard, which the city bought "
               "from the railway company last year for 12 million euros.")
    mention = ("Engineers compared three sites before choosing the eastern depot as the place where the trams "
               "will be stored and serviced overnight.")
    v = classified([TITLE, LEAD[0], LEAD[1], mention, head, LEAD[2], section, LEAD[3]])
    assert v[head] == "keep"


def test_a_short_piece_of_a_neighbouring_sentence_is_still_a_caption_fragment():
    piece = "three housing estates and a hospital"
    v = classified([TITLE, LEAD[0], LEAD[1], piece, LEAD[2], LEAD[3]])
    assert v[piece] == "caption"


# --- short lines in the article ---------------------------------------------------------------------

def test_a_short_full_sentence_between_widgets_stays():
    sentence = "Tickets will cost two euros."
    v = classified([TITLE, LEAD[0], LEAD[1], "Share on Facebook", sentence, "Share on Twitter", LEAD[2], LEAD[3]])
    assert v[sentence] == "keep"


def test_a_short_label_between_widgets_goes():
    label = "More on this topic"
    v = classified([TITLE, LEAD[0], LEAD[1], "Share on Facebook", label, "Share on Twitter", LEAD[2], LEAD[3]])
    assert v[label] != "keep"


# --- the article's end ------------------------------------------------------------------------------

AUTHOR_BOX = ("Anna Weber has covered city politics and transport for the paper since 2015, and before that "
              "reported on regional elections for a public broadcaster in the north.")


def test_the_block_ends_at_a_tag_list_after_most_of_the_prose():
    v = classified(["Home", "News", TITLE, *LEAD, "Tags: transport, council, trams", AUTHOR_BOX, "Privacy"])
    assert all(v[l] == "keep" for l in LEAD)
    assert v[AUTHOR_BOX] == "after-article"


def test_a_tag_list_before_half_of_the_prose_ends_nothing():
    v = classified(["Home", "News", TITLE, LEAD[0], "Tags: transport, council, trams", *LEAD[1:], AUTHOR_BOX])
    assert all(v[l] == "keep" for l in LEAD)
    assert v[AUTHOR_BOX] == "keep"


def test_the_block_ends_at_an_author_box_after_most_of_the_prose():
    for heading in ("About the author", "Über den Autor", "Sobre o autor"):
        v = classified(["Home", TITLE, *LEAD, heading, "Anna Weber", AUTHOR_BOX])
        assert all(v[l] == "keep" for l in LEAD)
        assert v[heading] == "author-box" and v[AUTHOR_BOX] == "after-article"


def test_an_author_box_before_half_of_the_prose_ends_nothing():
    v = classified(["Home", TITLE, LEAD[0], "About the author", AUTHOR_BOX, *LEAD[1:]])
    assert all(v[l] == "keep" for l in LEAD)


def test_an_inline_related_link_is_not_the_article_end():
    related = "Related: City opens consultation on the eastern tram route"
    v = classified(["Home", TITLE, *LEAD[:3], related, LEAD[3], AUTHOR_BOX])
    assert v[LEAD[3]] == "keep"


def test_a_line_holding_a_date_is_not_the_headline_of_an_appended_story():
    member = "Mitglied seit 12. Juni 2017 Beiträge 1.158 Ort Österreich"  # a forum post's header, then its date
    v = classified([TITLE, *LEAD, "Forenprofi", member, "* 28. September 2018", *OTHER])
    assert all(v[l] != "appended-story" for l in OTHER)
    assert classified([TITLE, *LEAD, OTHER_HEAD, "* 28. September 2018", *OTHER])[OTHER[0]] == "appended-story"
