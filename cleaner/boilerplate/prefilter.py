"""Cheap necessary conditions for the line rules, read off their regular expressions.

A rule is tried on every short line of every page, but matches few of them.  Before a rule
runs, `rules.matching_rule` asks whether the line can match at all, from two facts about the
line computed once for all rules:

- its *key*: the first four characters of its first word (`\\w+` run), lower-cased by
  `fold`; `#` when the word starts with a decimal digit, empty when the line has no word;
- its folded text, to look literal pieces up in.

`derive(calls)` reads the patterns behind a rule (the `match`/`search` calls its result
depends on) and returns a `Prefilter`: the keys a match anchored at the line's start can
have, literal pieces every other match contains, and whether a decimal digit will also do.
Most rules are anchored alternations of fixed words ("Share on ...", "Related posts"),
so their keys are a short set and a line of prose is handed none of them.

The derivation is conservative: whatever it cannot follow (a wildcard inside the first
word, a back-reference) widens the condition, down to "always run the rule".  It reads
the parse trees of `re`'s own parser (`re._parser`, Python 3.11 on).  Soundness
rests on two properties of `fold` that the tests check over every code point: it maps
each character to one character of the same class (word, digit, other), and to the letter
that `re.IGNORECASE` matches it against.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Callable, Iterable

from re import _constants as C, _parser  # the parser behind re.compile, and its opcodes

EXACT_LIMIT = 64  # the most strings an exact run is expanded to
MAX_OCCURRENCES = 8  # repeats followed further than this make the key unknown


@dataclass(frozen=True)
class Prefilter:
    """A line can match only if its key is in `keys`, its folded text contains one of
    `literals`, or (with `digit`) it holds a decimal digit."""

    keys: frozenset[str]
    literals: tuple[str, ...]
    digit: bool

    def admits(self, key: str, low: str, has_digit: bool) -> bool:
        return (key in self.keys or any(map(low.__contains__, self.literals))
                or (self.digit and has_digit))


class _Unknown(Exception):
    """The first word of a match cannot be enumerated here."""


@dataclass(frozen=True)
class _Need:
    """Every match contains one of `literals` (folded), or a decimal digit if `digit`."""

    literals: frozenset[str]
    digit: bool = False

    def __or__(self, other: "_Need") -> "_Need":
        return _Need(self.literals | other.literals, self.digit or other.digit)

    def cost(self) -> float:
        """The expected cost of this filter, in lookups: one per piece, plus the rule's own run
        (about fifty lookups) on the share of lines that pass.  Most short lines hold some
        one-letter piece, many a two-letter one or a digit, few a longer piece."""
        passing = max([_PASSING.get(_weight(s), 0.01) for s in self.literals]
                      + [_PASSING[2] if self.digit else 0.0])
        return len(self.literals) + self.digit + 50 * passing


_PASSING = {1: 0.5, 2: 0.3, 3: 0.05}


def _weight(piece: str) -> int:
    """A piece's length, a symbol outside ASCII ("©", "»") counting as three letters: such a
    character is rare in a line of text."""
    return 3 if len(piece) == 1 and not piece.isascii() and not piece.isalnum() else len(piece)


_FOLD = str.maketrans({"İ": "i", "ı": "i", "ſ": "s"})


def fold(text: str) -> str:
    """Lower-cased so that every ASCII letter an IGNORECASE pattern would match becomes that
    letter (`re` also matches dotless and dotted i to i, long s to s): the form in which
    keys and literal pieces are looked up.

    >>> fold("COPYRİGHT ſtory")
    'copyright story'
    """
    if "İ" in text or "ı" in text or "ſ" in text:
        text = text.translate(_FOLD)
    return text.lower()


def _is_word(c: str) -> bool:
    return c.isalnum() or c == "_"


# --- character sets -------------------------------------------------------------------------

_NONWORD_CATEGORIES = {C.CATEGORY_NOT_WORD, C.CATEGORY_SPACE}


def _charset(items: list) -> tuple[str, frozenset[str]]:
    """('chars', folded characters) for a small explicit set, ('nonword', ·) when it holds only
    characters outside `\\w`, ('digit', ·) for `\\d`, else ('any', ·)."""
    chars: set[str] = set()
    kinds = set()
    for op, av in items:
        if op is C.LITERAL:
            chars.add(fold(chr(av)))
        elif op is C.RANGE and av[1] - av[0] < 64:
            chars.update(fold(chr(c)) for c in range(av[0], av[1] + 1))
        elif op is C.CATEGORY and av in _NONWORD_CATEGORIES:
            kinds.add("nonword")
        elif op is C.CATEGORY and av is C.CATEGORY_DIGIT:
            kinds.add("digit")
        else:  # NEGATE, wide ranges, \w, \S, \D
            return "any", frozenset()
    if not kinds:
        return "chars", frozenset(chars)
    if kinds == {"nonword"} and not any(map(_is_word, chars)):
        return "nonword", frozenset()
    if kinds == {"digit"} and all(c.isdecimal() for c in chars):
        return "digit", frozenset()
    return "any", frozenset()


def _item_charset(op, av) -> tuple[str, frozenset[str]] | None:
    """The character set of a one-character item; None for any other item."""
    if op is C.LITERAL:
        return "chars", frozenset({fold(chr(av))})
    if op is C.IN:
        return _charset(av)
    if op in (C.ANY, C.NOT_LITERAL):
        return "any", frozenset()
    return None


def _repeat(av) -> tuple[int, int | None, list]:
    lo, hi, sub = av
    return lo, (None if hi is C.MAXREPEAT else hi), sub


_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT, C.POSSESSIVE_REPEAT)
_ZERO_WIDTH = (C.AT, C.ASSERT, C.ASSERT_NOT)


# --- literal pieces -------------------------------------------------------------------------

def _pieces(items: list) -> tuple[frozenset[str] | None, _Need | None]:
    """(exact, need) of a sequence: `exact` is every string it can match (folded) when that is
    a short list, `need` a set of pieces every match contains (None: nothing is certain).
    Runs of exactly known items are joined ("posted" + " " + "by"), and the best of the
    sequence's needs is kept (one of them is enough)."""
    run: frozenset[str] | None = frozenset({""})
    needs: list[_Need] = []
    whole_exact = True

    def flush() -> None:
        if run and "" not in run:
            needs.append(_Need(run))

    for op, av in items:
        exact, need = _item_pieces(op, av)
        if exact is not None and len(run) * len(exact) <= EXACT_LIMIT:
            run = frozenset(a + b for a in run for b in exact)
            continue
        whole_exact = False
        flush()
        if exact is not None:
            run = exact
        else:
            run = frozenset({""})
            if need is not None:
                needs.append(need)
    flush()
    best = min(needs, key=_Need.cost, default=None)
    return (run if whole_exact else None), best


def _item_pieces(op, av) -> tuple[frozenset[str] | None, _Need | None]:
    if op in _ZERO_WIDTH:
        return frozenset({""}), None
    charset = _item_charset(op, av)
    if charset is not None:
        kind, chars = charset
        if kind == "chars" and len(chars) <= 10:
            return chars, _Need(chars)
        return None, (_Need(frozenset(), digit=True) if kind == "digit" else None)
    if op is C.SUBPATTERN:
        return _pieces(av[-1])
    if op is C.ATOMIC_GROUP:
        return _pieces(av)
    if op is C.BRANCH:
        parts = [_pieces(alt) for alt in av[1]]
        exact = None
        if all(e is not None for e, _ in parts):
            exact = frozenset().union(*(e for e, _ in parts))
            if len(exact) > EXACT_LIMIT:
                exact = None
        needs = [n if n is not None else (_Need(e) if e and "" not in e else None) for e, n in parts]
        if any(n is None for n in needs):
            return exact, None
        need = needs[0]
        for n in needs[1:]:
            need = need | n
        return exact, need
    if op in _REPEATS:
        lo, hi, sub = _repeat(av)
        exact, need = _pieces(sub)
        if exact is not None and hi is not None and hi <= 2:
            options = {""} if lo == 0 else set()
            power = frozenset({""})
            for k in range(1, hi + 1):
                power = frozenset(a + b for a in power for b in exact)
                if k >= lo:
                    options |= power
            if len(options) <= EXACT_LIMIT:
                return frozenset(options), (need if lo >= 1 else None)
        if lo >= 1 and need is None and exact and "" not in exact:
            need = _Need(exact)
        return None, (need if lo >= 1 else None)
    return None, None  # back-references and the like


def _need(parsed: list) -> _Need | None:
    exact, need = _pieces(parsed)
    if need is None and exact and "" not in exact:
        need = _Need(exact)
    return need


# --- keys of anchored matches ---------------------------------------------------------------

# A walk state: the first word's characters read so far (at most 4), and whether its first
# character has been read.  A state that knows its key leaves the walk.
_State = tuple[str, bool]


class _Walk:
    """The keys of the matches of an anchored pattern, plus the pieces of the alternatives whose
    first word could not be enumerated (any of their matches contains one)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.need = _Need(frozenset())

    def seq(self, items: list, states: set[_State]) -> set[_State]:
        for op, av in items:
            if not states:
                break
            states = self.item(op, av, states)
        return states

    def item(self, op, av, states: set[_State]) -> set[_State]:
        charset = _item_charset(op, av)
        if charset is not None:
            return self.char(charset, states)
        if op is C.AT:
            if av in (C.AT_END, C.AT_END_STRING):  # the rest of the line is not a word character
                for word, started in states:
                    self.keys.add(word)
                return set()
            if av is C.AT_BOUNDARY:  # after a word character: the word ends here
                for word, started in states:
                    if started:
                        self.keys.add(word)
                return {s for s in states if not s[1]}
            return states
        if op in (C.ASSERT, C.ASSERT_NOT):  # constrains, consumes nothing: ignoring it is safe
            return states
        if op is C.SUBPATTERN:
            return self.seq(av[-1], states)
        if op is C.ATOMIC_GROUP:
            return self.seq(av, states)
        if op is C.BRANCH:
            out: set[_State] = set()
            for alt in av[1]:
                try:
                    out |= self.seq(alt, set(states))
                except _Unknown:
                    need = _need(alt)  # any match through this alternative contains its piece
                    if need is None:
                        raise
                    self.need = self.need | need
            return out
        if op in _REPEATS:
            lo, hi, sub = _repeat(av)
            out, cur, fed, k = set(), set(states), set(), 0
            while True:
                if k >= lo:
                    out |= cur
                    if cur <= fed or hi is not None and k == hi:
                        break
                elif hi is not None and k == hi:
                    break
                if k >= MAX_OCCURRENCES:
                    raise _Unknown
                fed |= cur
                cur = self.seq(sub, set(cur))
                k += 1
                if not cur:
                    break
            return out
        raise _Unknown  # back-references and the like

    def char(self, charset: tuple[str, frozenset[str]], states: set[_State]) -> set[_State]:
        """One character: before the first word a non-word character is skipped, after it
        one ends the word; a decimal digit opening the word makes the key `#`."""
        kind, chars = charset
        if kind == "any" or kind == "digit" and any(started for _, started in states):
            raise _Unknown
        out: set[_State] = set()
        for word, started in states:
            if kind == "digit":
                self.keys.add("#")
                continue
            for c in (chars if kind == "chars" else " "):  # " ": any non-word character
                if not _is_word(c):
                    if started:
                        self.keys.add(word)
                    else:
                        out.add((word, started))
                elif not started and c.isdecimal():
                    self.keys.add("#")
                elif len(word) == 3:
                    self.keys.add(word + c)
                else:
                    out.add((word + c, True))
        return out


# --- a rule's prefilter -----------------------------------------------------------------------

def _anchored(parsed: list) -> bool:
    items = list(parsed)
    while items and items[0][0] is C.SUBPATTERN:
        items = list(items[0][1][-1])
    return bool(items) and items[0] == (C.AT, C.AT_BEGINNING)


def _alternatives(parsed: list) -> list[list]:
    """The top-level alternatives of a pattern (one when it is not an alternation)."""
    items = list(parsed)
    while len(items) == 1 and items[0][0] is C.SUBPATTERN:
        items = list(items[0][1][-1])
    if len(items) == 1 and items[0][0] is C.BRANCH:
        return [list(alt) for alt in items[0][1][1]]
    return [items]


def _pattern_filter(pattern: re.Pattern[str], anchored: bool) -> tuple[set[str], _Need] | None:
    """(keys, need) for one pattern used with `match` (`anchored`) or `search`."""
    if pattern.flags & re.MULTILINE:  # `^` after every newline: not the line's start
        anchored = False
    parsed = _parser.parse(pattern.pattern, pattern.flags)
    keys: set[str] = set()
    need = _Need(frozenset())
    for alt in _alternatives(parsed):
        if anchored or _anchored(alt):
            walk = _Walk()
            try:
                if not walk.seq(alt, {("", False)}):  # every path reached its key
                    keys |= walk.keys
                    need = need | walk.need
                    continue
            except _Unknown:
                pass
        alt_need = _need(alt)
        if alt_need is None:
            return None
        need = need | alt_need
    return keys, need


def derive(calls: Iterable[Callable[[str], object]]) -> Prefilter | None:
    """The prefilter of a rule that can be true only where one of `calls` (bound `match`,
    `fullmatch` or `search` methods of compiled patterns) finds a match; None when some
    call admits any line."""
    keys: set[str] = set()
    need = _Need(frozenset())
    for call in calls:
        pattern, method = call.__self__, call.__name__  # type: ignore[attr-defined]
        found = _pattern_filter(pattern, anchored=method in ("match", "fullmatch"))
        if found is None:
            return None
        keys |= found[0]
        need = need | found[1]
    return Prefilter(frozenset(keys), _fewer(need.literals), need.digit)


def _fewer(pieces: frozenset[str]) -> tuple[str, ...]:
    """Fewer pieces to look up, each line passing as before or more often: pieces sharing their
    first five characters become that common start ("published", "publicado" -> "publi"),
    and a piece that contains another adds nothing."""
    groups: dict[str, list[str]] = {}
    for s in pieces:
        groups.setdefault(s[:5] if len(s) >= 5 else s, []).append(s)
    merged = {os.path.commonprefix(g) for g in groups.values()}
    return tuple(sorted(s for s in merged if not any(t != s and t in s for t in merged)))


def line_key(low: str) -> str:
    """The key of a folded line (see the module's docstring).

    >>> line_key("» share on x"), line_key("14 comments"), line_key("x"), line_key("© …")
    ('shar', '#', 'x', '')
    """
    m = _FIRST_WORD.match(low)
    if m is None:
        return ""
    word = m.group(1)
    return "#" if word[0].isdecimal() else word


_FIRST_WORD = re.compile(r"\W*(\w{1,4})")
