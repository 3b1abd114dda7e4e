"""Line rules: one small pure function per rule, registered under the reason it records.

Each rule sees one paragraph's visible text (bullets and invisible characters removed) and
answers whether the whole paragraph is that kind of boilerplate.  Patterns are anchored and
length-capped, so a body sentence that merely uses a widget word ("declined to comment",
"Follow the money") never matches.  The vocabulary is generic page furniture in the main
European languages; document structure and statistics (structure.py, context.py) carry
the rest.
"""
from __future__ import annotations

import functools
import re
from typing import Callable

from cleaner.boilerplate import prefilter
from cleaner.boilerplate.prefilter import fold, line_key

Rule = Callable[[str], bool]
RULES: dict[str, Rule] = {}


def rule(name: str, max_words: int | None = None,
         needs: tuple[Callable[[str], object], ...] = ()) -> Callable[[Rule], Rule]:
    """Register `fn` under the reason `name`.

    A rule never matches a paragraph of more than `max_words` words.  `needs` are the
    pattern calls (bound `match` or `search` methods) one of which must succeed for the rule
    to hold; `matching_rule` tries the rule only on lines that the prefilter derived from
    them admits (prefilter.py), so most rules are never run on a given line.
    """
    def register(fn: Rule) -> Rule:
        @functools.wraps(fn)
        def capped(text: str) -> bool:
            return (max_words is None or _words(text) <= max_words) and fn(text)

        capped.reason = name  # type: ignore[attr-defined]
        capped.max_words = max_words  # type: ignore[attr-defined]
        capped.needs = needs  # type: ignore[attr-defined]
        RULES[name] = capped
        return capped

    return register


def _words(text: str) -> int:
    """`len(text.split())`, counted without making the words when the only whitespace is
    single inner ASCII spaces (what `features.squeeze` leaves): every rule asks, and a
    body paragraph is dozens of words.

    >>> _words("a b  c"), _words("one two"), _words(" x\ty "), _words("")
    (3, 2, 2, 0)
    """
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text.count(" ") + 1 if text else 0  # printable: no whitespace but the ASCII space
    return len(text.split())


def _full(pattern: str) -> re.Pattern[str]:
    return re.compile(r"^\W*(?:" + pattern + r")\W*$", re.IGNORECASE)


DIGIT = re.compile(r"\d")
MONTH = (r"(?:jan(?:uary|eiro)?|feb(?:ruary)?|fev(?:ereiro)?|mar(?:ch|ço)?|apr(?:il)?|abr(?:il)?|may|maio|"
         r"jun(?:e|ho)?|jul(?:y|ho)?|aug(?:ust)?|ago(?:sto)?|sep(?:t|tember)?|set(?:embro)?|oct(?:ober)?|"
         r"out(?:ubro)?|nov(?:ember|embro)?|dec(?:ember)?|dez(?:embro)?|janvier|février|mars|avril|mai|juin|"
         r"juillet|août|septembre|octobre|novembre|décembre|enero|febrero|marzo|mayo|junio|julio|"
         r"septiembre|octubre|noviembre|diciembre|januar|februar|märz|juni|juli|oktober|dezember|"
         r"gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"  # Italian
         r"stycznia|lutego|marca|kwietnia|maja|czerwca|lipca|sierpnia|września|października|"  # Polish
         r"listopada|grudnia|januari|februari|maart|mei|augustus)\.?")  # Dutch
DATE = re.compile(
    r"(?:\b\d{1,2}(?:st|nd|rd|th|\.)?\s+(?:de\s+)?" + MONTH + r"|\b" + MONTH + r"\s+\d{1,2}\b|"
    r"\b\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\b\d{1,2}[-./]\d{1,2}[-./]\d{2,4}\b|\b\d{1,2}:\d{2}\b|"
    r"\b\d+\s*(?:sec|secs|seconds?|min|mins|minutes?|hours?|hrs?|days?|weeks?|months?|years?)\s+ago\b|"
    r"\b(?:yesterday|today|ontem|hoje)\b|\d{4}년|\d{1,2}월\s*\d{1,2}일)",
    re.IGNORECASE)


READING_TIME = _full(r"(?:reading time|tempo de leitura|temps de lecture|lesezeit|tiempo de lectura|"
                     r"tempo di lettura|czas czytania|leestijd)?\W*"
                     r"\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|minutos?|minuti|minut[ey]?|minuten)\.?\s*"
                     r"(?:read|de leitura|de lectura|lesezeit|de lecture|read time|reading|di lettura|czytania|"
                     r"leestijd|lezen)?")


@rule("reading-time", max_words=6, needs=(READING_TIME.match,))
def reading_time(text: str) -> bool:
    """A reading-time badge.

    >>> reading_time("9 min read"), reading_time("Reading time: 4 minutes"), reading_time("5 minutos de leitura")
    (True, True, True)
    >>> reading_time("5 minuti di lettura"), reading_time("3 min czytania"), reading_time("Leestijd: 4 minuten")
    (True, True, True)
    >>> reading_time("The 9 min read was worth it.")
    False
    """
    return bool(READING_TIME.match(text))


STAMP = re.compile(r"^\W*(?:updated|last updated|published|posted|posted on|modified|atualizado|atualizada|"
                   r"publicado|publicada|actualizado|mis à jour|publié|aktualisiert|veröffentlicht|"
                   r"date|data|on)\b\W*(?:on|at|em|às|el|le|am)?\b", re.IGNORECASE)
WEEKDAY = re.compile(r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*day\b|\b(?:segunda|terça|quarta|quinta|sexta)-feira\b"
                     r"|\b(?:sábado|domingo)\b", re.IGNORECASE)


POST_META = re.compile(r"\b(?:posted|published|publicado|publicada|escrito|written|filed)\s+(?:by|por|in|em|under)\b"
                       r"|\b(?:categoria|category|categories)\s*:|\bpermalink\b", re.IGNORECASE)


@rule("dateline-metadata", max_words=20, needs=(POST_META.search, DATE.search, DIGIT.search))
def dateline_metadata(text: str) -> bool:
    """A date, time or "updated" stamp standing alone (possibly with a name or place).

    >>> dateline_metadata("Updated 16 June 2023"), dateline_metadata("Updated 3 sec ago")
    (True, True)
    >>> dateline_metadata("November 20, 2019 | 11:28 AM"), dateline_metadata("segunda-feira, 22 de janeiro de 2018 às 0:13")
    (True, True)
    >>> dateline_metadata("5:45 AM PST 11/19/2019 by Patrick Shanley"), dateline_metadata("Posted in Open thread | Permalink | 10 Comments")
    (True, True)
    >>> dateline_metadata("05. Februar 2020"), dateline_metadata("Aktualisiert am 3. März 2021, 14:05 Uhr")
    (True, True)
    >>> dateline_metadata("12 maggio 2023"), dateline_metadata("3 października 2022"), dateline_metadata("5 mei 2021")
    (True, True, True)
    >>> dateline_metadata("On June 16, 2023 the minister said the talks had failed badly.")
    False
    """
    n = _words(text)
    sentence = text.rstrip().endswith((".", "!", "?"))
    if not sentence and n <= 20 and POST_META.search(text):
        return True
    if n > 12 or sentence and n > 6:
        return False
    if STAMP.match(text) and (DATE.search(text) or DIGIT.search(text)):
        return True
    return bool(DATE.search(text)) and _mostly_metadata(text)


BY_NAME = re.compile(r"\b(?:by|por|par|von)\s+[A-Z][\w.'-]*(?:\s+[A-Z][\w.'-]*){0,3}")


def _mostly_metadata(text: str) -> bool:
    """Little left once dates, times, weekdays, an author and separators are removed."""
    rest = DATE.sub(" ", BY_NAME.sub(" ", text))
    rest = WEEKDAY.sub(" ", rest)
    rest = re.sub(r"\b(?:\d+|am|pm|[ap]\.m\.|at|on|de|às|em|of|the|gmt|utc|[a-z]{2,4}t|et|pt)\b", " ", rest,
                  flags=re.IGNORECASE)
    return len(re.findall(r"\w{2,}", rest)) <= 2


BYLINE = re.compile(r"^\W*(?:(?:additional )?reporting by|editing by|writing by|contributing|compiled by|"
                    r"with reporting by|by|por|par|von|di|de|written by|words by|reported by|text by|author|autor|"
                    r"autora|escrito por|texto de|reportagem de)\b[:\s]+\S", re.IGNORECASE)


CREDITS = re.compile(r"^\W*\(?(?:(?:additional )?reporting by|editing by|writing by|contributing:|"
                     r"compiled by|(?:the )?associated press contributed|staff reports?\W*$|with .{1,25} wires\W*$)",
                     re.IGNORECASE)


@rule("byline", max_words=40, needs=(CREDITS.match, BYLINE.match))
def byline(text: str) -> bool:
    """A byline: "By NAME", optionally with a role or a date.

    >>> byline("By Spy Uganda Correspondent"), byline("Por João Silva"), byline("Written by: Ann Lee | Reuters")
    (True, True, True)
    >>> byline("(Reporting by Ann Lee; Editing by Bob Day)"), byline("Contributing: Kristine Phillips")
    (True, True)
    >>> byline("By the end of the week, the talks had collapsed."), byline("de acordo com o ministro")
    (False, False)
    """
    if CREDITS.match(text):
        return True
    if _words(text) > 9 or text.rstrip().endswith((".", "!", "?")) and not DATE.search(text):
        return False
    m = BYLINE.match(text)
    return bool(m) and names_only(text[m.end() - 1:])


NAME_END = re.compile(r"[|,;/–—(•·\d]")
NAME_JOINERS = frozenset({"and", "und", "y", "e", "et", "i", "&", "van", "von", "der", "den", "de", "da", "del",
                          "della", "di", "do", "dos", "du", "la", "le", "bin", "al", "el", "ter", "zu"})


def names_only(text: str) -> bool:
    """`text`, up to a separator or a figure, is one to six names: capitalised words, handles,
    initials and the particles that join names.  "Von Anna Müller" names an author; "Von
    Barzahler-Rabatten profitieren ..." starts a sentence.

    >>> names_only("Anna Müller und Jan Kowalski | dpa"), names_only("@catherineshu"), names_only("Ludwig van Beethoven")
    (True, True, True)
    >>> names_only("Barzahler-Rabatten profitieren vor allem Stammkunden"), names_only("the end of the week")
    (False, False)
    """
    cut = NAME_END.search(text)
    words = (text[:cut.start()] if cut else text).split()
    if not 1 <= len(words) <= 6 or words[0].lower() in NAME_JOINERS:
        return False
    return all(w[:1].isupper() or w[:1] == "@" or w.lower() in NAME_JOINERS for w in words)


CREDIT = re.compile(r"^\W*(?:사진|写真|图片|圖片|영상)\s*[=:/]|^\W*(?:photo|photos|photograph|image|images|picture|foto|fotos|imagem|crédito|credit|"
                    r"source|fonte|video|vídeo|bild|bilder|titelbild|archivbild|archivfoto|symbolbild|bildquelle|"
                    r"fotoquelle|imagen|imágenes|zdjęcie|zdjęcia|quelle|fuente|źródło|bron)s?\s*(?::|by|credit|de|por|di|/)\s*\S|"
                    r"^\W*fot\.\s+\S|^[^©]{1,80}\s©\s*[\w@][^.©]{0,60}$|"
                    r"\b(?:getty images|shutterstock|istock|ap photo|afp|reuters|epa|file photo)\b\W*$",
                    re.IGNORECASE)


@rule("photo-credit", max_words=12, needs=(CREDIT.search,))
def photo_credit(text: str) -> bool:
    """An image credit line.

    >>> photo_credit("Photo: Jane Doe/Reuters"), photo_credit("Foto: Divulgação"), photo_credit("(Getty Images)")
    (True, True, True)
    >>> photo_credit("Photographs of the protest were shared widely online by people who attended.")
    False
    """
    return bool(CREDIT.search(text))


CAPTION_CREDIT = re.compile(r"\((?:AP|AFP|Reuters|Getty|EPA|File|Photo|Foto|Image|Credit|Courtesy|"
                            r"Picture)[^()]{0,80}\)\W*$|"
                            r"\b(?:Credit|Photo|Photograph|Picture|Image|Foto|Crédito|Imagem|Bild|Imagen|Zdjęcie):\s*"
                            r"[\w@][^.]{0,80}\.?$",
                            re.IGNORECASE)


PHOTO_WORD = re.compile(r"photo|foto|image|picture|getty|file|credit|courtesy", re.IGNORECASE)


@rule("caption", max_words=60, needs=(CAPTION_CREDIT.search,))
def caption(text: str) -> bool:
    """An image caption: a description ending in a photo credit.

    >>> caption("A cargo ship leaves the port on Aug. 31, 2019. (AP)")
    True
    >>> caption("The latest case was reported after a hunter ate a rabbit Credit: Getty Images")
    True
    >>> caption("The ship left port on Aug. 31 (a Saturday), officials said.")
    False
    >>> caption("Officials said the talks, which began on Monday and ran late into the night, had made progress on "
    ...         "trade and on the release of prisoners held by both sides since the war began. (Reuters)")
    False
    """
    m = CAPTION_CREDIT.search(text)
    if not m:
        return False
    # a bare agency name closes many a wire paragraph; only short lines are captions then
    return _words(text) <= 30 or bool(PHOTO_WORD.search(m.group(0)))


COUNTER = _full(r"\d[\d.,]*\s*[kKmM]?\s*(?:comments?|comentários?|comentarios?|commentaires?|kommentare?|likes?|"
                r"curtidas?|shares?|compartilhamentos?|views?|visualizações|reads?|replies|reply|respostas?|"
                r"votes?|reactions?|points?|responses?|retweets?)|"
                r"(?:comments?|comentários?|likes?|shares?|views?|replies)\W*\d[\d.,]*[kKmM]?|\d{1,6}|"
                r"(?:image|photo|picture|slide|foto|imagem)?\s*\d{1,3}\s*(?:of|de|/)\s*\d{1,3}")


@rule("counter", max_words=4, needs=(COUNTER.match,))
def counter(text: str) -> bool:
    """A count shown by a widget, or a number standing alone.

    >>> counter("14 Comments"), counter("12 likes"), counter("Comments (3)"), counter("0"), counter("Image 1 of 23")
    (True, True, True, True, True)
    >>> counter("14 comments were posted before the thread was closed.")
    False
    """
    return bool(COUNTER.match(text))


SOCIAL = r"(?:facebook|twitter|x|linkedin|whatsapp|telegram|reddit|pinterest|email|e-mail|print|imprimir|" \
         r"instagram|youtube|tumblr|flipboard|messenger|copy link|copiar link|rss|rss feed|tiktok|pocket)"
SHARE = _full(r"(?:share|shares|tweet|pin it|compartilhe|compartilhar|partager|teilen|compartir|condividi|"
              r"udostępnij|delen|deel dit artikel|artikel teilen|beitrag teilen|teile diesen (?:beitrag|artikel)|"
              r"diesen (?:beitrag|artikel) teilen|partager cet article|compartir (?:este artículo|esta noticia)|"
              r"condividi (?:questo articolo|su)|"
              r"teile (?:diesen|den) (?:beitrag|artikel)(?: auf .{1,30})?|(?:mit freunden|jetzt) teilen|"
              r"(?:artikel gefallen\W+)?vergiss nicht,? (?:ihn |es )?zu teilen|share with (?:your )?friends|"
              r"compartir con (?:tus )?amigos|partager avec (?:vos |tes )?amis|condividi con (?:i tuoi )?amici|"
              r"udostępnij znajomym|deel met (?:je )?vrienden|compartilhe com (?:seus )?amigos|"
              r"print (?:this )?(?:article|page|recipe)|(?:artikel|rezept|seite) drucken|"
              r"imprimir (?:artículo|receta|noticia)|imprimer (?:l'article|la recette|la page)|"
              r"stampa (?:l'articolo|articolo|la ricetta)|drukuj(?: artykuł| przepis)?|(?:artikel|recept) afdrukken|"
              r"share this(?: article| story| post)?|share on " + SOCIAL + r"|share via " + SOCIAL +
              r"|share (?:this |it )?(?:on|via|with) " + SOCIAL + r"|compartilhe no " + SOCIAL + r"|click to share on " + SOCIAL + r"(?: \(opens in new window\))?|"
              r"share (?:this )?(?:article|story|post)(?: on)?|" + SOCIAL + r")(?:\W+(?:" + SOCIAL + r"|share))*")


@rule("share-widget", max_words=12, needs=(SHARE.match,))
def share_widget(text: str) -> bool:
    """Share buttons and bare lists of social networks.

    >>> share_widget("Share on Facebook"), share_widget("Facebook Twitter LinkedIn"), share_widget("Compartilhe")
    (True, True, True)
    >>> share_widget("Condividi"), share_widget("Udostępnij"), share_widget("Teile diesen Beitrag")
    (True, True, True)
    >>> share_widget("Share this on WhatsApp")
    True
    >>> share_widget("Share their booking details with the hotel before arrival.")
    False
    """
    return bool(SHARE.match(text))


FOLLOW = _full(r"(?:follow|follow us|siga|siga-nos|suivez-nous|folgen sie uns|síguenos|seguici|obserwuj nas|volg ons)"
               r"(?:\s+(?:us\s+)?(?:on|no|em|sur|auf|en|su|na|op)\s+\w+(?:\s+(?:and|e|&|und|et|y|i|en)\s+\w+)?)?|"
               r"follow @\w+|(?:@\w+\s*)+|"
               r"follow (?:the )?(?:author|topic|this author|this topic)")


@rule("social-widget", max_words=8, needs=(FOLLOW.match,))
def social_widget(text: str) -> bool:
    """Follow buttons and handles.

    >>> social_widget("Follow"), social_widget("Follow us on Twitter"), social_widget("@catherineshu")
    (True, True, True)
    >>> social_widget("Seguici su Facebook"), social_widget("Volg ons op Twitter en Instagram")
    (True, True)
    >>> social_widget("Follow the money."), social_widget("Follow the money")
    (False, False)
    """
    return bool(FOLLOW.match(text))


COMMENT_HEADING = (  # what opens a thread of reader comments
    r"\[?\s*(?:\d+\s+)?(?:comments?|kommentare?|comentarios?|comentários?|commentaires?|commenti|komentarze?|"
    r"reacties)(?:\s+(?:on|to|zu|zum|zur|a|à|en|sobre|sur|su|do|para|op|über)\s+.{0,150})?\s*\]?|"
    r"(?:\d+\s+(?:responses?|replies|respuestas|réponses|risposte|odpowiedzi|reacciones|gedanken|thoughts?)|"
    r"(?:responses?|replies|respuestas|réponses|risposte|odpowiedzi|reacciones|gedanken|thoughts?)(?=\s+\S+\s+[«»“”„\"'‘’]))"
    r"(?:\s+(?:on|to|zu|zum|zur|a|à|en|sobre|sur|su|do|para|op|über)\s+.{0,150})?|"
    r"(?:top|most|best)\s+(?:rated|liked|recent|popular)\s+comments?|"
    r"(?:schreibe(?:n sie)?|hinterlasse(?:n sie)?) einen kommentar|kommentar (?:schreiben|verfassen|abgeben)|"
    r"deja un comentario|lascia un commento|napisz komentarz|dodaj komentarz")
COMMENT_OPENS = _full(COMMENT_HEADING + r"|leave a (?:reply|comment)|post a comment|laisser un commentaire|"
                      r"dejar un comentario|deixe (?:um|seu|o seu) comentário|deixe uma resposta")
COMMENT = _full(
    COMMENT_HEADING + r"|"
    r"leave a (?:reply|comment)|post a comment|add a comment|write a comment|add comment|comments?|"
    r"\d*\s*comments? (?:are )?closed|comments? for this (?:entry|post|article) (?:are|is) closed|"
    r"view (?:all )?comments?|show comments?|hide comments?|load comments?|see (?:all )?comments?|"
    r"notify of|inline feedbacks?|oldest|newest|most voted|sort by\W*\w*|reply|responder|"
    r"your email address will not be published\.?(?: required fields are marked \*?)?|"
    r"required fields are marked \*?|join the (?:discussion|conversation)|"
    r"deixe (?:um|seu|o seu) comentário|deixe uma resposta|comentários|comentar|"
    r"laisser un commentaire|commentaires|kommentare?|dejar un comentario|comentarios|"
    r"you must be logged in to post a comment|log in to (?:comment|reply)|"
    r"(?:name|email|website|comment|nome|site)\s*\*?|save my name, email, and website in this browser.*|"
    r"no comments?(?: yet)?|(?:noch )?keine kommentare|sin comentarios|aucun commentaire|nessun commento|"
    r"brak komentarzy|geen reacties|sem comentários|"
    r"(?:\d+ )?(?:thoughts?|responses?|replies) (?:on|to) .{0,150}|be the first to comment.*|"
    r"this site uses akismet to reduce spam.*|conversation|discussion|guidelines|"
    r"comments? (?:policy|guidelines).*|post comment|submit comment|enviar comentário|"
    r"login|log in|sign in|entrar|cancel reply|subscribe to comments")


@rule("comment-widget", max_words=30, needs=(COMMENT.match,))
def comment_widget(text: str) -> bool:
    """The comment box and its furniture.

    >>> comment_widget("Leave a Reply"), comment_widget("View all comments"), comment_widget("Notify of")
    (True, True, True)
    >>> comment_widget("Your email address will not be published. Required fields are marked *")
    True
    >>> comment_widget("The spokesman declined to comment on the report.")
    False
    """
    return bool(COMMENT.match(text))


RELATED = _full(
    r"(?:related(?: posts?| articles?| stories| story| news| content| coverage| reading| links?| videos?| topics?)?|"
    r"more (?:from|on|in|about) .{1,40}|more (?:stories|news|articles|posts|videos|headlines)|"
    r"(?:you (?:may|might) (?:also )?(?:like|enjoy|be interested in)|recommended(?: for you| stories| articles)?|"
    r"read (?:more|also|next)|also read|see also|leia (?:também|mais)|veja (?:também|mais)|saiba mais|"
    r"lire aussi|à lire aussi|lesen sie auch|mehr zum thema|lee también|te puede interesar|"
    r"siehe auch|verwandte (?:beiträge|artikel|themen|inhalte)|ähnliche (?:beiträge|artikel|themen)|"
    r"weitere (?:interessante )?(?:themen|artikel|beiträge|nachrichten|meldungen)|zum weiterlesen|"
    r"das (?:thema )?könnte (?:sie|dich|euch) auch interessieren|diese (?:themen|artikel) könnten (?:sie|dich|euch) "
    r"auch interessieren|auch interessant|(?:mira|puedes ver|lee|lea)\s*:|dowiedz się więcej\s*:|"
    r"artículos relacionados|contenidos? relacionados?|(?:otras|más) noticias|también te puede interesar|"
    r"ver también|articles (?:liés|connexes|similaires)|(?:à )?lire également|vous aimerez aussi|"
    r"sur le même thème|dans la même rubrique|vedi anche|notizie correlate|altre notizie|"
    r"powiązane (?:artykuły|wpisy|treści)|podobne artykuły|przeczytaj (?:również|także|też)|polecane|"
    r"zie ook|meer over dit onderwerp|gerelateerd(?:e berichten)?|veja mais|"
    r"mirá también|temas relacionados|empfohlen für (?:dich|sie)|recomendado para ti|recommandé pour vous|"
    r"consigliati per te|polecane dla ciebie|aanbevolen voor jou|beliebte beiträge(?: zum thema)?|"
    r"what to read next|up next|don'?t miss|editor'?s picks?|top stories|latest (?:news|stories|posts|articles)|"
    r"popular (?:posts|stories|articles)|mais lidas|notícias relacionadas|matérias relacionadas|"
    r"artigos relacionados|posts relacionados|check also|check out|other stories|around the web|"
    r"from (?:the|our) (?:web|partners)|sponsored (?:stories|links|content)|promoted (?:stories|content)|"
    r"previous (?:post|article|story)|next (?:post|article|story)|post navigation|"
    r"story timeline|in (?:this|the same) (?:series|category)|"
    r"relacionados?|mais notícias|veja mais notícias|últimas notícias|explore further|"
    r"mira también|lea también|le puede interesar|noticias relacionadas|voir aussi|sur le même sujet|"
    r"articles similaires|auch lesen|lesen sie mehr|artikel zum thema|mehr aus .{1,40}|leggi anche|"
    r"potrebbe interessarti|ti potrebbe interessare|articoli correlati|zobacz (?:także|też)|"
    r"(?:prze)?czytaj (?:także|też)|lees ook|gerelateerde artikelen|meer nieuws|"
    r"\w{0,20}\s?(?:주요뉴스|관련기사|관련 기사|많이 본 뉴스|추천기사|인기기사)))(?:\W.{0,100})?")


@rule("related-links", max_words=18, needs=(RELATED.match,))
def related_links(text: str) -> bool:
    """Headings of related-story and recommendation widgets.

    >>> related_links("Related Posts"), related_links("Related Post"), related_links("You may also like")
    (True, True, True)
    >>> related_links("Read more: Why the talks failed"), related_links("Leia também")
    (True, True)
    >>> related_links("Related: The 15 Weirdest Galaxies in Our Universe")
    True
    >>> related_links("Zobacz także"), related_links("Leggi anche: Il Giro torna a maggio"), related_links("Lees ook")
    (True, True, True)
    >>> related_links("Mehr aus Thüringen"), related_links("Mehr aus dem Stadtrat wurde nicht bekannt.")
    (True, False)
    >>> related_links("In a related statement, the ministry said exports would rise.")
    False
    """
    return not text.rstrip().endswith(".") and bool(RELATED.match(text))


TRENDING = _full(r"(?:trending(?: now| stories| topics| news)?|most (?:read|popular|viewed|shared|commented)|"
                 r"em alta|mais (?:lidas|vistas|populares)|populares|en vogue|tendencias|meistgelesen|"
                 r"(?:las |los |lo )?más (?:vistas|vistos|leídas|leídos|visto|leído)|(?:les )?plus lus|"
                 r"(?:i )?più letti|najczęściej czytane|najpopularniejsze|meest gelezen|am meisten gelesen|"
                 r"beliebteste (?:artikel|beiträge))"
                 r"(?:\W.{0,40})?")


@rule("trending", max_words=6, needs=(TRENDING.match,))
def trending(text: str) -> bool:
    """Trending / most-read widget headings.

    >>> trending("Trending Now"), trending("Most Popular"), trending("Mais lidas")
    (True, True, True)
    >>> trending("Trending upward, prices rose for a third month.")
    False
    """
    return not text.rstrip().endswith(".") and bool(TRENDING.match(text))


NAV = _full(r"load more(?: .{0,40})?|show more|see more|view more|ver mais|carregar mais|mostrar mais|"
            r"zurück(?: zur (?:übersicht|startseite|liste))?|nach oben|torna su|torna indietro|indietro|avanti|"
            r"carica altri|mostra (?:altro|di più)|wstecz|dalej|więcej|pokaż więcej|terug|volgende|vorige|"
            r"meer laden|toon meer|naar boven|"
            r"home|menu|search|search for:?|buscar|pesquisar|rechercher|suche|skip to (?:main )?content|"
            r"back to top|voltar ao topo|close|fechar|next|previous|prev|anterior|próximo|próxima|"
            r"older posts|newer posts|page \d+ of \d+|página \d+ de \d+|\d+(?:\s+\d+)*\s*(?:next|»|›)|"
            r"sign up|register|subscribe|assine|cadastre-se|my account|log out|"
            r"toggle navigation|main menu|open menu|close menu|categories|categorias|archives|arquivos|"
            r"tags?|topics|temas|go to|ir para|click here|clique aqui|(?:[«‹<]|&lt;) ?(?:prev|previous|anterior)"
            r".{0,80}|(?:next|próximo|próxima) ?(?:[»›>]|&gt;).{0,80}|"
            r"more|mais|weiter|suivant|siguiente|all news|todas as notícias|explore|watch|listen|"
            r"watch (?:now|live|video)|listen (?:now|live)|play video|video|vídeo|videos|photos|gallery|"
            r"galeria|audio|podcast|podcasts|newsletters?|breaking news|live|ao vivo|en direct|"
            r"shopping cart|cart|\d+ shopping cart|\d+ items?|sections|edition|world|ok|accept|aceitar|"
            r"i agree|got it|dismiss|continue reading|continuar lendo|continue lendo|lire la suite|"
            r"weiterlesen|seguir leyendo|read full (?:article|story)|view (?:full|original) (?:article|story)|"
            r"read the rest|le[ea]r? más|ver más|mehr (?:erfahren|lesen|dazu)|en savoir plus|voir (?:plus|la suite)|"
            r"continua a leggere|leggi (?:di più|tutto)|scopri di più|czytaj (?:więcej|dalej)|dowiedz się więcej|"
            r"zobacz więcej|lees (?:verder|meer)|meer lezen|ler mais|"
            r"table of contents|contents|inhaltsverzeichnis|inhalt|índice|sommaire|indice|spis treści|inhoudsopgave|"
            r"(?:bild|foto|fotos|bilder) vergrößern|zum vergrößern (?:an)?klicken.*|(?:alle )?bild(?:er)? anzeigen|vollbild|"
            r"click to enlarge|enlarge (?:image|photo)|view (?:gallery|photos|image)|open gallery|"
            r"ver (?:galería|galeria|fotos|imagen)|voir (?:les photos|la galerie)|agrandir|ingrandisci|"
            r"vedi (?:foto|galleria)|powiększ|zobacz galerię|vergroot|bekijk (?:de )?foto'?s|"
            r"forgot (?:your )?password\??|passwort vergessen\??|¿?olvidaste (?:tu )?contraseña\??|"
            r"mot de passe oublié ?\??|password dimenticata\??|nie pamiętasz hasła\??|wachtwoord vergeten\??|"
            r"esqueceu (?:sua |a )?senha\??|anmelden|einloggen|abmelden|registrieren|iniciar sesión|registrarse|"
            r"se connecter|s'inscrire|accedi|registrati|zaloguj się|zarejestruj się|inloggen|registreren")


@rule("navigation", max_words=10, needs=(NAV.match,))
def navigation(text: str) -> bool:
    """Menu entries, pagination and buttons.

    >>> navigation("Load More By Someone"), navigation("Search"), navigation("Next »"), navigation("Page 2 of 5")
    (True, True, True, True)
    >>> navigation("Zurück zur Übersicht"), navigation("Torna su"), navigation("Dalej"), navigation("Terug")
    (True, True, True, True)
    >>> navigation("Search teams worked through the night to find survivors.")
    False
    """
    return bool(NAV.match(text))


BREADCRUMB = re.compile(r"^\W*\w[\w\s.&'-]{0,30}(?:\s*(?:>|»|›|/|\\|→|::)\s*\w[\w\s.&'-]{0,40}){1,6}\W*$")


@rule("breadcrumb", max_words=16, needs=(BREADCRUMB.match,))
def breadcrumb(text: str) -> bool:
    """Breadcrumb trails and slash-separated menus.

    >>> breadcrumb("Home > News > World"), breadcrumb("About / Advertise / Tip Us / Contact")
    (True, True)
    >>> breadcrumb("Prices rose 3% in May, the agency said.")
    False
    """
    return not text.rstrip().endswith((".", "?", "!")) and bool(BREADCRUMB.match(text))


SUBSCRIBE_SENTENCE = (r"(?:^|[.!?]\s+)(?:click here to |tap here to )?(?:subscribe|sign up)\b.{0,100}\b(?:newsletters?|"
                      r"youtube|channel|podcast|inbox)\b")
NEWSLETTER = re.compile(
    SUBSCRIBE_SENTENCE + r"|"
    r"^\W*(?:subscribe|sign up|signup|get|join|register|inscreva-se|assine|cadastre-se|receba|abonnez-vous|"
    r"inscrivez-vous|abonnieren|abonniere|melde dich an|suscríbete|suscríbase|iscriviti|zapisz się|"
    r"schrijf je in|meld je aan)\b.{0,120}\b(?:newsletter\w*|nieuwsbrief|inbox|e-?mail|"
    r"updates|alerts|notícias|boletim|digest|briefing|noticias)\b|"
    r"^\W*(?:our|the|daily|weekly|free)?\s*newsletters?\b.{0,60}$|"
    r"^\W*(?:want more (?:stories|news|articles) like this|keep up to date|stay (?:up to date|informed|in the loop)|"
    r"by submitting this form|enter your e-?mail(?: address)?|your e-?mail address|e-?mail address|seu e-?mail|"
    r"thank you for (?:subscribing|signing up)|you(?:'re| are) (?:now )?subscribed|by (?:subscribing|signing up)"
    r"|we respect your privacy|unsubscribe at any time).{0,200}$", re.IGNORECASE)
# the one alternative of NEWSLETTER that can match past the start (no MULTILINE: `^` is the start only)
SUBSCRIBE_ANYWHERE = re.compile(SUBSCRIBE_SENTENCE, re.IGNORECASE)


# A sign-up prompt in running prose: a mailbox word, a verb of subscribing or receiving, and
# the reader addressed ("Enter your email address to follow this blog", "Mit unserem
# Newsletter erhalten Sie ...", "Lass dir die besten Storys ... in deinen Posteingang
# liefern"): the three together, in a short paragraph, are a prompt in every language here.
# the words before "e-mail" are lookbehinds, so that the rule's prefilter keys on "e-mail"
# itself rather than on "per e" or "your e" (prefilter.py reads the literal words)
_MAIL_AFTER = "|".join(f"(?<={w} )" for w in ("your", "per", "by", "via", "por", "par", "adresse", "endereço de",
                                              "adres", "adresu", "adresem", "indirizzo"))
SIGNUP_MAILBOX = re.compile(r"newsletter|nieuwsbrief|\binbox|posteingang|postfach|sähköpost|courriel|"
                            r"correo electrónico|adresse électronique|\b(?:e-mail|email)[- ]?(?:address|adress|adresse)|"
                            rf"(?:{_MAIL_AFTER})(?:e-mail|email)\b", re.IGNORECASE)
SIGNUP_VERB = re.compile(r"subscri|abonn|suscri|inscri|anmeld|sign(?:ing)? ?up|\bfollow|folgen|tilaa|zapisz|"
                         r"iscriv|assin|cadastr|\bmeld|receive|erhalten|erhältst|recib|recev|ricev|receb|otrzym|"
                         r"ontvang|liefern|deliver", re.IGNORECASE)
READER = re.compile(r"\b(?:you|your|sie|ihre?[nmrs]?|ihnen|du|dich|dir|deine?[nmrs]?|euch|eure?|tu|tus|usted|"
                    r"vous|votre|vos|você|seu|sua|ty|twoj\w*|twój|jouw|uw|jij|sinä|sinun|voi|vostr\w*)\b",
                    re.IGNORECASE)


def _signup_prompt(text: str) -> bool:
    return SIGNUP_MAILBOX.search(text) is not None and SIGNUP_VERB.search(text) is not None \
        and READER.search(text) is not None


@rule("newsletter", max_words=45, needs=(NEWSLETTER.match, SUBSCRIBE_ANYWHERE.search, SIGNUP_MAILBOX.search))
def newsletter(text: str) -> bool:
    """Newsletter and alert sign-up boxes.

    >>> newsletter("Subscribe to our newsletter"), newsletter("Sign up for our daily briefing by email")
    (True, True)
    >>> newsletter("Iscriviti alla nostra newsletter"), newsletter("Zapisz się do newslettera"), newsletter("Meld je aan voor de nieuwsbrief per e-mail")
    (True, True, True)
    >>> newsletter("Click here to subscribe to The Daily Newsletter"), newsletter("Subscribe to Acme on YouTube for more news:")
    (True, True)
    >>> newsletter("Enter your email address")
    True
    >>> newsletter("Subscribers to the newsletter rose by a third last year, the company said.")
    False
    >>> newsletter("Gib deine E-Mail-Adresse ein, um diesem Blog zu folgen und Benachrichtigungen zu erhalten.")
    True
    >>> newsletter("Mit unserem Newsletter erhalten Sie monatlich Informationen rund um das Urlaubsland.")
    True
    >>> newsletter("The council said residents would receive the newsletter by post from March.")
    False
    """
    # NEWSLETTER.search, without trying the start-anchored alternatives at every position
    if NEWSLETTER.match(text) or _signup_prompt(text):
        return True
    low = fold(text)
    return ("subscribe" in low or "sign up" in low) and bool(SUBSCRIBE_ANYWHERE.search(text))


ADVERT = _full(r"advertisements?|advertising|advertisement\s*[-–—]?\s*(?:scroll|continue) (?:down )?"
               r"(?:to continue|reading).*|story continues below(?: advertisement)?|article continues below.*|"
               r"sponsored(?: content| post| by .{1,40})?|paid (?:content|post)|promoted|ad|ads|"
               r"publicidade|publicidad|publicité|anzeige|werbung|patrocinado|conteúdo patrocinado|"
               r"pubblicità|sponsorizzato|reklama|advertentie|gesponsord|"
               r"report (?:this )?ad|close ad|skip ad|ad choices|adchoices|ads by .{1,30}")


@rule("advertisement", max_words=10, needs=(ADVERT.match,))
def advertisement(text: str) -> bool:
    """Advertising labels.

    >>> advertisement("Advertisement"), advertisement("ADVERTISEMENT"), advertisement("Publicidade")
    (True, True, True)
    >>> advertisement("Pubblicità"), advertisement("Reklama"), advertisement("Advertentie")
    (True, True, True)
    >>> advertisement("Advertisement spending fell sharply in the second quarter.")
    False
    """
    return bool(ADVERT.match(text))


COOKIE = re.compile(r"\b(?:cookies?|gdpr|dsgvo|lgpd|rgpd|personal data|dados pessoais|données personnelles|"
                    r"personenbezogenen? daten|datos personales|dati personali|dane osobowe)\b", re.IGNORECASE)
COOKIE_CONTEXT = re.compile(
    r"\b(?:use|uses|using|accept|consent|revoke|disclosed|third parties|data protection|policy|privacy|settings|browsing|"
    r"experience|site|website|experiência|utiliza|usamos|usa|aceito|aceitar|política|privacidade|navegação|utilisons|"
    r"akzeptieren|verwendet|verwenden|nutzen|webseite|website|einstellungen|zustimmen|zustimmung|einwilligung|ablehnen|"
    r"datenschutz\w*|browser|utilizamos|aceptar|aceptas|consentimiento|configuración|privacidad|navegación|sitio|"
    r"accepter|acceptez|consentement|paramètres|navigation|utilizziamo|accetta|consenso|impostazioni|navigazione|sito|"
    r"używamy|akceptuj\w*|zgod\w*|ustawie\w*|prywatności|stron\w*)\b", re.IGNORECASE)


@rule("cookie-notice", max_words=70, needs=(COOKIE.search,))
def cookie_notice(text: str) -> bool:
    """Cookie and privacy consent banners.

    >>> cookie_notice("We use cookies to improve your experience. By continuing you accept our policy.")
    True
    >>> cookie_notice("Este site usa cookies para melhorar sua experiência.")
    True
    >>> cookie_notice("She baked cookies for the whole street.")
    False
    """
    return bool(COOKIE.search(text)) and len(COOKIE_CONTEXT.findall(text)) >= 2


COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)\s*\d{4}|copyright\s*(?:©|ⓒ|\(c\)|\d{4}|\W*$))|무단\s*전재|재배포\s*금지|\ball rights reserved\b|\btodos os direitos reservados\b|"
                       r"\btous droits réservés\b|\balle rechte vorbehalten\b|\btodos los derechos reservados\b|"
                       r"\btutti i diritti riservati\b|\bwszelkie prawa zastrzeżone\b|\balle rechten voorbehouden\b|"
                       r"^\W*materiał chroniony prawem autorskim\b|版权所有|版權所有|無断転載|"
                       r"©\s*\d{4}", re.IGNORECASE)


@rule("copyright", max_words=40, needs=(COPYRIGHT.search,))
def copyright_notice(text: str) -> bool:
    """Copyright lines.

    >>> copyright_notice("© 2005-2019 SlashGear, All Rights Reserved."), copyright_notice("Copyright 2019 ACME")
    (True, True)
    >>> copyright_notice("Tutti i diritti riservati"), copyright_notice("© Wszelkie prawa zastrzeżone.")
    (True, True)
    >>> copyright_notice("Materiał chroniony prawem autorskim - zasady przedruków określa regulamin.")
    True
    >>> copyright_notice("Copyright lawyers for the publishers argued the case.")
    False
    >>> copyright_notice("The copyright dispute went to court in 2019, and the judge sided with the author.")
    False
    """
    return bool(COPYRIGHT.search(text))


FOOTER_LINK = (r"(?:privacy(?: policy| notice)?|terms(?: of (?:use|service))?|terms (?:and|&) conditions|"
               r"cookie(?:s| policy| settings)|contact(?: us)?|about(?: us)?|advertise(?: with us)?|careers|jobs|"
               r"help|faq|sitemap|site map|accessibility|imprint|impressum|política de privacidade|"
               r"termos de uso|fale conosco|quem somos|expediente|anuncie|trabalhe conosco|contato|"
               r"mentions légales|do not sell my (?:personal )?info(?:rmation)?|ethics(?: statement| policy)?|"
               r"editorial standards|corrections|masthead|press|feedback|rss|newsletters?|"
               r"subscribe|subscriptions?|store|shop|licensing|reprints?(?: (?:&|and) permissions)?)")
FOOTER = _full(FOOTER_LINK + r"(?:\s*(?:[|/•·,;]|\s-\s|\s)\s*" + FOOTER_LINK + r")*")


@rule("footer", max_words=25, needs=(FOOTER.match,))
def footer(text: str) -> bool:
    """Site footer links (privacy, terms, contact ...), alone or run together.

    >>> footer("Privacy Policy"), footer("Editorial Standards / Ethics Statement / Privacy Policy / Terms of Use")
    (True, True)
    >>> footer("Contact us if you have information about the crash.")
    False
    """
    return bool(FOOTER.match(text))


TAGS = re.compile(r"^\W*(?:tags?|tagged(?: with)?|topics?|filed under|categories|category|categorias?|"
                  r"temas?|assuntos?|palavras-chave|mots-clés|schlagworte|schlagwörter|etiquetas|"
                  r"argomenti|tagi|tematy|trefwoorden|onderwerpen)\s*[:\-–]\s*\S.{0,250}$",
                  re.IGNORECASE)


@rule("tags", max_words=40, needs=(TAGS.match,))
def tags(text: str) -> bool:
    """Tag and category lists.

    >>> tags("Tags: politics, China, diplomacy"), tags("Filed under: World")
    (True, True)
    >>> tags("Argomenti: politica, Roma"), tags("Tagi: sport, piłka nożna"), tags("Trefwoorden: klimaat")
    (True, True, True)
    >>> tags("Topics: the minister refused to answer questions.")
    False
    """
    return not text.rstrip().endswith(".") and bool(TAGS.match(text))


CTA = re.compile(r"\b(?:click|tap)(?:ing)? here\b|\bclique aqui\b|\bcliquez ici\b|\bhaga clic aquí\b|"
                 r"\b(?:download|get) (?:the|our) .{1,30} app\b", re.IGNORECASE)
CONTACT = re.compile(r"\b(?:may|can) be reached at\b|^\W*reach (?:the )?(?:reporters?|writer|author)\b|"
                     r"\bfollow (?:him|her|them|me) on (?:twitter|x|instagram|facebook)\b|^\W*have a tip\?|"
                     r"^\W*(?:contact|email) the (?:author|reporter|writer)\b", re.IGNORECASE)
LINK_LINE = re.compile(r"^\W*[\w ]{1,25}:\s*(?:https?://|www\.)\S+\s*$")


@rule("call-to-action", max_words=16, needs=(CTA.search,))
def call_to_action(text: str) -> bool:
    """Promotional prompts: "click here", "get the app".

    >>> call_to_action("GET FOX BUSINESS ON THE GO BY CLICKING HERE"), call_to_action("Clique aqui e veja as fotos")
    (True, True)
    >>> call_to_action("He told them to click on the link in the email, police said, and the money was gone.")
    False
    """
    return bool(CTA.search(text))


@rule("author-contact", max_words=40, needs=(CONTACT.search,))
def author_contact(text: str) -> bool:
    """How to reach the author.

    >>> author_contact("Have a tip? Ann Lee may be reached at ann@example.com. Follow her on Twitter @annlee.")
    True
    >>> author_contact("Reach the reporters on Twitter at http://twitter.com/x")
    True
    >>> author_contact("Rescuers reached the village at dawn.")
    False
    """
    return bool(CONTACT.search(text))


AUTHOR_BOX = _full(r"(?:about|meet) the (?:authors?|writers?)|(?:über (?:den|die)|zum|zur|zu den) "
                   r"(?:autor|autorin|autoren|autorinnen)|(?:sobre|acerca de) (?:el|la|o|a|los) (?:autor|autora|autores)|"
                   r"acerca del autor|à propos de l'(?:auteur|autrice)|à propos des auteurs|"
                   r"(?:sull'|chi è l')(?:autore|autrice)|o (?:autorze|autorce|autorach)|over de (?:auteur|schrijver)")


@rule("author-box", max_words=6, needs=(AUTHOR_BOX.match,))
def author_box(text: str) -> bool:
    """The heading of the box that presents the author below an article.

    >>> author_box("About the Author"), author_box("Über den Autor"), author_box("Sobre a autora")
    (True, True, True)
    >>> author_box("À propos de l'auteur"), author_box("O autorze"), author_box("Over de auteur")
    (True, True, True)
    >>> author_box("About the author's new novel, critics disagreed."), author_box("Der Autor schreibt")
    (False, False)
    """
    return bool(AUTHOR_BOX.match(text))


@rule("link-line", needs=(LINK_LINE.match,))
def link_line(text: str) -> bool:
    """A label followed by a bare URL.

    >>> link_line("Listen: http://po.st/TP_615"), link_line("Paper here: https://papers.example.com/x")
    (True, True)
    >>> link_line("See the data at https://example.com for details.")
    False
    """
    return bool(LINK_LINE.match(text))


COMMENT_POLICY = re.compile(r"^\W*(?:\w+\W+){0,4}?(?:comments?|comentários?|commentaires?|comentarios?|kommentare?)\b"
                            r".{0,200}\b(?:moderat\w*|approv\w*|aprovad\w*|guidelines|publicad\w*|"
                            r"respeito|respect|offensive|ofensiv\w*)", re.IGNORECASE)


@rule("comment-policy", max_words=45, needs=(COMMENT_POLICY.match,))
def comment_policy(text: str) -> bool:
    """Notes on how comments are moderated.

    >>> comment_policy("ATENÇÃO: Comentários com textos ininteligíveis não serão aprovados pelo moderador.")
    True
    >>> comment_policy("Comments are moderated and may take a while to appear.")
    True
    >>> comment_policy("The minister's comments drew criticism from opposition leaders who want a review.")
    False
    """
    return bool(COMMENT_POLICY.match(text))


COMMENT_HEADER = re.compile(r"^\W*[\w .'()@-]{1,60}?\s+(?:(?:on|em|el|le|am)\s+.{4,40}?\s+)?(?:said|says|wrote|"
                            r"writes|disse|escreveu|a écrit|schrieb|dijo|escribió|replied|responded|sagt|schreibt|"
                            r"meint|dice|dit|écrit|scrive|pisze|napisał|napisała|zegt|schreef)"
                            r"(?:\s+(?:on|em|el|le|am)\s+.{4,40}?)?\s*:?\s*$", re.IGNORECASE)


@rule("user-comment", max_words=16, needs=(COMMENT_HEADER.match,))
def user_comment(text: str) -> bool:
    """The header of a reader comment: "NAME on DATE said:" (a date is required, so "Trump
    wrote:" before a quoted post stays).

    >>> user_comment("Alex on September 17, 2018 at 6:34 am said:"), user_comment("Maria disse em 12/03/2019:")
    (True, True)
    >>> user_comment("The minister said:"), user_comment("Trump wrote:"), user_comment("No matter what Google says")
    (False, False, False)
    """
    return bool(COMMENT_HEADER.match(text)) and bool(DATE.search(text))


def matching_rule(text: str, disabled: frozenset[str] = frozenset()) -> str | None:
    """The reason of the first rule that matches `text`, or None.

    >>> matching_rule("Share on Facebook")
    'share-widget'
    >>> matching_rule("Share on Facebook", frozenset({"share-widget"})) is None
    True
    >>> matching_rule("He declined to comment.") is None
    True
    """
    if len(text) > 600 or text.count(" ") > 75:  # every rule is capped well below this
        return None
    return _first_match(text, disabled)


@functools.lru_cache(maxsize=1 << 14)
def _first_match(text: str, disabled: frozenset[str]) -> str | None:
    """`matching_rule` for a line short enough for some rule, memoised: a third of the
    lines of real full-page texts recur (a site's template, and widget lines many sites
    share), and a line costs a dozen pattern calls.  At most 16k lines of 600 characters
    are held."""
    low = fold(text)
    key = line_key(low)
    digit = None  # computed once, when a rule first needs it
    for name, rule_fn, pieces, or_digit in _rules_for(_words(text), key if key in KEYS else None):
        if name in disabled:
            continue
        if pieces is not None:  # the key does not admit the rule: a piece or a digit must
            if not any(map(low.__contains__, pieces)):  # no Python frame per piece
                if not or_digit:
                    continue
                if digit is None:
                    digit = DIGIT.search(text) is not None
                if not digit:
                    continue
        if rule_fn(text):
            return name
    return None


# a comment header carries a date: name it before the date rule does
ORDERED = sorted(RULES.items(), key=lambda kv: kv[0] != "user-comment")
PREFILTERS = {name: prefilter.derive(fn.needs) for name, fn in ORDERED}
KEYS = frozenset().union(*(p.keys for p in PREFILTERS.values() if p is not None))


@functools.lru_cache(maxsize=None)
def _rules_for(words: int, key: str | None) -> tuple[tuple[str, Rule, tuple[str, ...] | None, bool], ...]:
    """(reason, uncapped rule, pieces, digit) of the rules a paragraph of `words` words whose
    key is `key` (None: a key no rule knows) can match, in ORDERED order.  `pieces` is None
    when the key admits the rule; otherwise the line needs one of them (or a digit, with
    `digit`).  A long body paragraph is tried against three rules, not twenty-five, and a
    short line only against the rules its first word or its pieces allow.  Held for at most
    the few hundred keys the rules know by the word counts seen."""
    chosen = []
    for name, fn in ORDERED:
        if fn.max_words is not None and words > fn.max_words:
            continue
        pf = PREFILTERS[name]
        if pf is None or key in pf.keys:
            chosen.append((name, fn.__wrapped__, None, False))
        elif pf.literals or pf.digit:
            chosen.append((name, fn.__wrapped__, pf.literals, pf.digit))
    return tuple(chosen)
