"""Text tests of whether a passage answers *this* question, not a neighbouring one.

A verified quote only proves the words are in an article. These predicates ask two more things
of the passage an answer came from (qa/answer/support.py runs them for every model; the
extractive reader may use them to prefer candidates that pass):

- `terms_check`: the question's identifying terms are there. Names (one distinctive word of a
  multi-word name suffices, "Qatari" matches "Qatar"), identifiers that differ by a digit
  ("Halcyon-2" is not "Halcyon-1": a passage naming only the sibling fails even when the title
  names the asked one), and at least one of the question's topic nouns (stemmed).
- `type_check`: the short answer is of the kind asked for: a "who" not answered by a place or a
  number, a "how many" by a number, a "when" by a date, a weight by a mass...

The rule variants and how many real answers each refuses are measured by
eval/support_strictness.py; the defaults are the strictest that refused none of the measured
gold evidence of the sample set (and few on SQuAD 2.0 dev articles 0:8).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache

from qa.reader.question_types import question_type
from qa.reader.units import ANY_UNIT, is_unit, wanted_units
from qa.text.sentences import dateline_end, first_sentence_span, sentence_spans
from qa.text.tokens import STOPWORDS, stem_all, stem_set, words
from qa.text.vocabulary import MONTHS, NUMBER_WORDS

# --- where terms are looked for ---------------------------------------------------------------


def lede(text: str) -> str:
    """An article's first sentence, without its dateline ("SORREL POINT (Wire) - ")."""
    span = first_sentence_span(text)
    if span is None:
        return ""
    first = text[span[0]:span[1]]
    return first[dateline_end(first):]


def passage_around(text: str, start: int, end: int) -> str:
    """The whole sentences a quote text[start:end] lies in: what the quote's words are about."""
    spans = [(s, e) for s, e in sentence_spans(text) if s < max(end, start + 1) and e > start]
    if not spans:
        return text[start:end]
    return text[spans[0][0]:spans[-1][1]]


def sentence_before(text: str, start: int) -> str:
    """The sentence before the one text[start] lies in, in the same paragraph ("" at its start):
    where "the chip" of the cited sentence was named ("its new Talon 7 processor")."""
    spans = sentence_spans(text)
    for (s0, e0), (s1, e1) in zip(spans, spans[1:], strict=False):
        if s1 <= start < max(e1, s1 + 1) or (e0 <= start < s1):
            return text[s0:e0] if "\n\n" not in text[e0:s1] else ""
    return ""


# --- names and identifiers -------------------------------------------------------------------

# "Halcyon-2", "Flight 370", "Station 14", "Talon 7", "F-16", "COVID-19": a stem and a number.
_IDENTIFIER = re.compile(r"\b(?:([A-Z][A-Za-z]*)(?:[- ]|\s?#)?|([a-z]{2,})-)(\d+[A-Za-z]?)\b")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)\b")
# Capitalised words: a run of them (with "of", "de"... inside) is one name.
_NAME = re.compile(r"\b[A-Z][\w’'-]*(?:\s+(?:(?:of|de|al|bin|the|and)\s+)?[A-Z][\w’'-]*)*")
_POSSESSIVE = re.compile(r"['’]s?$")

# Capitalised words that identify nothing: the question's own opening words, titles and calendar
# words ("Which vice president did Netanyahu meet on Tuesday?" is about Netanyahu, not Tuesday).
_NOT_NAMES = frozenset(
    """what which who whom whose when where why how is are was were did do does in on at of for the a an
    to by from according according as under after before during if with and or but i
    mr mrs ms dr sir st saint mount lake river city county state university college president prime
    minister vice premier mayor king queen prince princess chief executive director general governor
    senator chairman chair secretary officer minister's president's mayor's
    monday tuesday wednesday thursday friday saturday sunday""".split()
) | frozenset(MONTHS)

# Demonyms whose stem differs from the place's ("French" names France).
_DEMONYMS = {
    "french": "france", "dutch": "netherlands", "spanish": "spain", "swiss": "switzerland",
    "welsh": "wales", "irish": "ireland", "danish": "denmark", "finnish": "finland", "polish": "poland",
    "filipino": "philippines", "british": "britain", "english": "england", "greek": "greece",
    "norse": "norway", "scots": "scotland", "thai": "thailand", "icelandic": "iceland",
}
# Endings that turn a place into its people or adjective ("Qatar"/"Qatari", "China"/"Chinese").
_ENDINGS = ("", "a", "i", "ia", "ian", "ians", "an", "ans", "n", "ns", "ese", "ish", "ic", "y", "e", "es", "s",
            "dy", "ern", "ain", "land", "ite", "ites")


def _norm(word: str) -> str:
    return _POSSESSIVE.sub("", word.lower().replace("’", "'"))


def _same_name(asked: str, seen: str) -> bool:
    """"Qatari" ~ "Qatar", "Chinese" ~ "China", "French" ~ "France", "Normans" ~ "Normandy"."""
    if asked == seen:
        return True
    if _DEMONYMS.get(asked) == seen or _DEMONYMS.get(seen) == asked:
        return True
    for n in range(min(len(asked), len(seen)), 3, -1):
        if asked[:n] != seen[:n]:
            continue
        return asked[n:] in _ENDINGS and seen[n:] in _ENDINGS
    return False


@dataclass(frozen=True)
class Name:
    text: str  # as the question writes it: "Redwater Athletic"
    words: tuple[str, ...]  # its distinctive words, any one of which identifies it


def question_names(question: str) -> list[Name]:
    """Capitalised names of the question, without its first word unless that is clearly a name
    (capitalised mid-word, a digit, or not a question word) and without calendar and title words."""
    return list(_question_names(question))


@lru_cache(maxsize=4096)  # the terms check asks for them for every sentence it reads
def _question_names(question: str) -> tuple[Name, ...]:
    names = []
    body = question.strip()
    for match in _NAME.finditer(body):
        text = match.group(0)
        if match.start() == 0:  # "Which Gulf state": the question word is no part of the name
            text = re.sub(r"^(?:\w+\s+)", lambda m: "" if m.group(0).strip().lower() in _NOT_NAMES else m.group(0), text)
        if not text:
            continue
        if match.start() == 0 and text == match.group(0) and " " not in text and not _is_proper(question, text):
            continue  # "Along with...", "Communication complexity is...": capitalised only as first word
        tokens = [_norm(t) for t in re.findall(r"[\w’'-]+", text)]
        tokens += [p for t in tokens if "-" in t and not re.search(r"\d", t) for p in t.split("-")]
        distinct = tuple(dict.fromkeys(
            w for w in tokens if w not in _NOT_NAMES and w not in STOPWORDS and len(w) > 1 and not w.isdigit()
        ))
        if not distinct:
            continue
        names.append(Name(text, distinct))
    return tuple(names)


def _is_proper(question: str, word: str) -> bool:
    """Is the question's first word a proper noun? The parser's tag, when it is available."""
    from qa.reader import syntax

    if re.search(r"\d|[a-z][A-Z]", word):
        return True
    if not syntax.available():
        return False
    parse = syntax.parse_all([question])[0]
    return bool(parse.lowers) and syntax.HEAD_POS[int(parse.pos[0])] == "PROPN"


def _initials(text: str) -> set[str]:
    """"US" for "United States": acronyms of runs of capitalised words."""
    found = set()
    for match in re.finditer(r"(?:\b[A-Z][a-z]+\s+){1,4}[A-Z][a-z]+\b", text):
        found.add("".join(w[0] for w in match.group(0).split()).lower())
    return found


@lru_cache(maxsize=4096)  # a sentence is checked by the reader, the support check and the conflict check
def _name_words(text: str) -> frozenset[str]:
    """Lower-cased words of a text, possessives dropped, hyphenated words also split."""
    # No word runs across a line break (initials may: "\s+"), so each line's words are cached on
    # their own: a sentence comes back as the next one's sentence before, a title with every sentence.
    return frozenset(_initials(text)).union(*(_line_words(line) for line in text.split("\n")))


_ABBREVIATION = re.compile(r"\b(?:[A-Z]\.){2,}")
_NAME_TOKEN = re.compile(r"[\w’'-]+")


@lru_cache(maxsize=8192)
def _line_words(line: str) -> frozenset[str]:
    found = {m.replace(".", "").lower() for m in _ABBREVIATION.findall(line)}
    for token in _NAME_TOKEN.findall(line):
        word = _norm(token)
        found.add(word)
        found.update(p for p in word.split("-") if p)
    return frozenset(found)


def _has_name(name: Name, seen: frozenset[str]) -> bool:
    """Any distinctive word of the name, or its initials ("United States" ~ "U.S.")."""
    if any(_same_name(w, s) for w in name.words for s in seen if s[:1] == w[:1]):
        return True
    return any(len(a) > 1 and a in seen for a in _initials(name.text))


# Words written before a surname that are roles, not first names ("Envoy Witkoff", "Coach Dusek").
_TITLES = frozenset(
    """envoy spokesman spokeswoman spokesperson coach captain judge justice rep representative gen
    col lt sgt officer inspector detective professor prof commissioner ambassador councillor councilor
    chancellor deputy sheriff bishop pope father brother sister striker goalkeeper defender midfielder
    manager chairwoman chairperson minister lord lady dame rabbi imam reverend rev pastor trustee""".split()
)


_HOW_MANY = re.compile(r"\bhow many\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)


@lru_cache(maxsize=4096)
def counted_noun(question: str) -> str:
    """What a "how many" question counts ("firefighters"), when it is a topic noun
    (not a generic one such as "people", nor a unit), else ""."""
    match = _HOW_MANY.search(question)
    if not match:
        return ""
    nouns = set(topic_nouns(question))
    for word in words(match.group(1)):
        stem = stem_all([_norm(word)])[0]
        if stem in nouns and not is_unit(word) and _norm(word) not in _GENERIC_PEOPLE:
            return word
    return ""


# Counted people named in many ways ("workers" are "bus drivers, train operators and mechanics").
_GENERIC_PEOPLE = frozenset(
    """workers employees staff members residents citizens individuals men women children adults persons
    humans fans spectators visitors users customers civilians inhabitants participants""".split()
)


_ROLE_QUESTION = re.compile(
    r"^\s*who\s+(?:is|was|are|were|will be|has been)\s+(?:the|a|an|its|their)\s+((?:[a-z]+\s+){0,2}?[a-z]+)"
    r"\s+(?:of|in|at|for|on|from|to)\b", re.I)


@lru_cache(maxsize=4096)
def asked_role(question: str) -> str:
    """The role a "who is the ROLE of X" question asks the holder of ("mayor", "fire chief"), or ""."""
    match = _ROLE_QUESTION.search(question)
    if not match:
        return ""
    role = " ".join(w for w in match.group(1).lower().split() if w not in STOPWORDS)
    return role if role and not any(w in _NOT_ROLES for w in role.split()) else ""


# Nouns after "who is the" that ask for anyone, not a role ("Who was the first person to ...").
_NOT_ROLES = frozenset("first last only one person man woman people player team name most best".split())


def _namesakes(question: str, passage: str) -> list[str]:
    """A person asked for by full name whom the passage does not name, while it names another
    person of the same surname: "Petra Lindqvist" is not "Marguerite Lindqvist"."""
    found = []
    # "Trump and Netanyahu" is two people, each asked for by surname only: no full name to mismatch
    people = [p for name in _question_names(question) for p in _CONNECTED.split(name.text)]
    for person in people:
        parts = person.split()
        if (len(parts) < 2 or _norm(parts[0]) in _NOT_NAMES or person in passage
                or not all(part[:1].isupper() for part in parts)):
            continue
        surname = re.escape(parts[-1])
        others = {m.group(1) for m in re.finditer(rf"\b([A-Z][a-z]+)\s+{surname}\b", passage)
                  if _norm(m.group(1)) not in _NOT_NAMES | _TITLES and m.group(1) != parts[-2]}
        if others:
            found.append(f"asks about {person}; the passage names {', '.join(sorted(o + ' ' + parts[-1] for o in others))}")
    return found


_CONNECTED = re.compile(r"\s+(?:and|&|or)\s+|,\s*")


@dataclass(frozen=True)
class Identifier:
    stem: str  # "halcyon", "flight", "" for a bare year
    number: str  # "2", "370", "2019"
    text: str = field(default="", compare=False)  # as written: "Halcyon-2"

    def __str__(self) -> str:
        return self.text or (f"{self.stem}-{self.number}" if self.stem else self.number)


def identifiers(text: str, years: bool = True) -> set[Identifier]:
    found = {Identifier((m[1] or m[2]).lower(), m[3].lower(), m.group(0)) for m in _IDENTIFIER.finditer(text)
             if (m[1] or m[2]).lower() not in STOPWORDS and (m[1] or m[2]).lower() not in _NOT_IDENTIFIER_STEMS}
    if years:
        found |= {Identifier("", year, year) for year in _YEAR.findall(text)}
    # "the 2019 season", "the 2023 election": a year that names which one of a recurring thing
    found |= {Identifier(m[2].lower(), m[1], m.group(0)) for m in _YEAR_NOUN.finditer(text)}
    # "the fourth quarter" is not "the second quarter"
    found |= {Identifier(m[2].lower(), _ORDINALS.get(m[1].lower(), m[1].lower().rstrip("stndrh")), m.group(0)) for m in _ORDINAL_NOUN.finditer(text)}
    return found


@lru_cache(maxsize=4096)
def _asked_identifiers(question: str, years: bool) -> frozenset[Identifier]:
    """The question's identifiers: the same for every sentence the terms check reads."""
    return frozenset(identifiers(question, years))


_ORDINALS = {w: str(n) for n, w in enumerate(
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split())}
_ORDINAL_NOUN = re.compile(
    r"\b(" + "|".join(list(_ORDINALS)[1:]) + r"|\d+(?:st|nd|rd|th))[\s-]+(quarter|half|round|stage|leg|term|phase|"
    r"inning|period|set|game|test|day|week|month)\b", re.I)


_YEAR_NOUN = re.compile(r"\b(1[5-9]\d\d|20\d\d)\s+(season|election|edition|census|budget|campaign|championship|"
                        r"tournament|olympics|games|cup|final|race|festival|survey|report|plan)\b", re.I)


# Words before a number that make a quantity, not a name ("in 2016", "about 900", "than 4").
_NOT_IDENTIFIER_STEMS = frozenset(
    "about around nearly almost over under than least most some only just per top page pages chapter post pre "
    "since until before after by in on at from to".split()
) | frozenset(MONTHS)


# --- topic nouns ------------------------------------------------------------------------------

# Nouns that say how an answer is measured or asked, not what the question is about.
_GENERIC_NOUNS = frozenset(
    """number amount total sum share percentage proportion size cost price value rate figure
    people person year years day days week weeks month months time times hour hours minute minutes
    name names kind type part way thing things lot deal much many one ones place date period term
    percent""".split()
)
_NOUNISH = re.compile(r"[a-z][a-z'-]+")
_QUESTION_VERBS = frozenset(
    """be is are was were been do does did have has had make made get got say said said tell told
    happen happened go went come came take took give gave use used call called know known
    last lasted see seen become became""".split()
)


@lru_cache(maxsize=4096)
def topic_nouns(question: str) -> tuple[str, ...]:
    """Stemmed common nouns of the question ("ceasefire", "attendance"): what it is about
    beyond its names. Tagged by the reader's parser; a plain word filter when it is missing."""
    from qa.reader import syntax

    nouns: list[str] = []
    if syntax.available():
        parse = syntax.parse_all([question])[0]
        for word, pos in zip(parse.lowers, parse.pos, strict=False):
            if syntax.HEAD_POS[int(pos)] == "NOUN":
                nouns.append(word)
    else:  # without a tagger: content words that are not question verbs
        nouns = [w for w in words(question) if w not in STOPWORDS and w not in _QUESTION_VERBS]
    nouns = [_norm(n) for n in nouns if _NOUNISH.fullmatch(n) and n not in _GENERIC_NOUNS]
    names = {w for name in _question_names(question) for w in name.words}
    return tuple(dict.fromkeys(s for n, s in zip(nouns, stem_all(nouns), strict=True) if n not in names))


# --- the terms check --------------------------------------------------------------------------


@dataclass(frozen=True)
class TermRules:
    """How strict `terms_check` is (eval/support_strictness.py measures each choice)."""

    names: str = "any"  # "any" one of the names matched, "all" of them, or "off"
    name_scope: str = "title"  # where a name may be matched: "passage", "title" (+passage), "title_lede"
    identifiers: bool = True  # an asked identifier must be matched, and not only its sibling in the passage
    years: bool = True  # a year in the question counts as an identifier ("the 2019 season")
    topic: str = "unnamed"  # a topic noun matched: "any" one, "all", "unnamed" (only when the question names nothing), "off"
    before: bool = True  # the sentence before the passage counts as the passage for matching


DEFAULT_RULES = TermRules()


def terms_check(
    question: str, passage: str, title: str = "", lede: str = "", rules: TermRules = DEFAULT_RULES,
    before: str = "",
) -> tuple[bool, str]:
    """(passed, detail) for rule 2; detail says what matched or what was missing. `before`: the
    sentence before the passage, where what the passage calls "the chip" may be named; a sibling
    identifier ("Halcyon-1" for "Halcyon-2") is looked for in `passage` alone."""
    near = before + "\n" + passage if rules.before else passage
    context = {"passage": near, "title": near + "\n" + title,
               "title_lede": "\n".join((near, title, lede))}[rules.name_scope]
    everywhere = "\n".join((near, title, lede))
    matched: list[str] = []

    # Each part below reads the passage only when the question has something for it to match.
    asked_ids = _asked_identifiers(question, rules.years)
    if rules.identifiers and asked_ids:
        in_passage = identifiers(passage, rules.years)
        around = identifiers(everywhere, rules.years)
        for asked in sorted(asked_ids, key=lambda i: (not i.stem, str(i))):  # named ones say more
            siblings = sorted(str(i) for i in in_passage if i.stem == asked.stem and i.number != asked.number)
            if asked not in in_passage and siblings and asked.stem:
                return False, f"asks about {asked}; the passage names {', '.join(siblings)}"
            if asked not in around:
                if not asked.stem and not siblings:
                    continue  # a year the passage does not contradict ("in 2019" asked, no year given)
                return False, f"asks about {asked}; not named in the passage, title or lede"
            matched.append(str(asked))

    counted, role = counted_noun(question), asked_role(question)
    near_stems = stem_set(near) if counted or role else frozenset()
    if counted and stem_all([_norm(counted)])[0] not in near_stems:
        return False, f"asks how many {counted}; the passage does not speak of them"
    if role and stem_all([role.split()[-1]])[0] not in near_stems:  # the role's head noun
        return False, f"asks who is the {role}; the passage names no {role}"

    if rules.names != "off":
        for namesake in _namesakes(question, passage):
            return False, namesake
        names = _question_names(question)
        seen = _name_words(context) if names else frozenset()
        found = [n for n in names if _has_name(n, seen)]
        missing = [n.text for n in names if n not in found]
        if names and (not found if rules.names == "any" else missing):
            return False, f"names {', '.join(missing)}; not in the passage, title or lede"
        matched += [n.text for n in found]

    if rules.topic != "off":
        nouns = topic_nouns(question)
        stems = stem_set(everywhere) if nouns else frozenset()
        hits = [n for n in nouns if n in stems]
        anchored = rules.topic == "unnamed" and bool(_question_names(question) or asked_ids)
        if nouns and not anchored and (len(hits) < len(nouns) if rules.topic == "all" else not hits):
            return False, f"asks about {', '.join(nouns)}; none is in the passage, title or lede"
        matched += hits

    return True, "matched " + ", ".join(matched) if matched else "no identifying terms to match"


# --- the answer type check --------------------------------------------------------------------

_NUMBER = re.compile(r"\d|\b(?:" + "|".join(NUMBER_WORDS) + r"|several|few|no|none|dozen|score|single|both|once|twice)\b", re.I)
_DATE = re.compile(
    r"(?<![$€£,.\d])\b\d{3,4}s?\b(?![,.]\d)|\b\d{1,2}(?::\d\d)?\s*(?:a\.m\.|p\.m\.|am\b|pm\b|h\b|o'clock)|\b\d+(?:st|nd|rd|th)\b"
    r"|\b\d+\s+(?:days?|weeks?|months?|years?|hours?|minutes?|centuries|decades?)\b|\b\d+s\b"
    r"|\b(?:" + "|".join(MONTHS) + r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|yesterday|today|tomorrow|tonight|morning|afternoon|evening|night|noon|midnight|dawn|dusk"
    r"|spring|summer|autumn|fall|winter|week|weekend|month|year|decade|century|era|age|period|ago"
    r"|before|after|during|since|until|when|while|following|early|late|mid|later|earlier|now|then"
    r"|first|last|next|soon|once|christmas|easter|war|reign|a\.m\.|p\.m\.)\b",
    re.I,
)
_SPAN_OF_TIME = re.compile(r"\bhow (?:long|often)\b", re.I)
_COUNT = re.compile(r"\bhow many\b", re.I)
# Questions whose noun asks for a count even without "how many" ("What was the attendance?").
_QUANTITY_NOUNS = re.compile(
    r"^\s*what (?:was|is|were|are|will be) (?:the|its|their|his|her)?\s*(?:\w+\s+)?(?:attendance|population|"
    r"death toll|toll|turnout|score|tally|margin|capacity|temperature|salary|revenue|profit|magnitude|"
    r"rate|percentage|price|cost|budget|fine|height|depth|length|speed|wind speed|rainfall|majority)\b",
    re.I,
)
# Entity labels that cannot answer the question kind.
_WRONG_LABELS = {
    "person": {"LOC", "FAC", "DATE", "TIME", "MONEY", "QUANTITY", "CARDINAL", "PERCENT", "ORDINAL"},
    "place": {"PERSON", "DATE", "TIME", "MONEY", "QUANTITY", "CARDINAL", "PERCENT"},
}


_WH = re.compile(r"\b(who|whom|whose|when|where|how|what|which)\b", re.I)
_BY_WH = {"who": "person", "whom": "person", "whose": "person", "when": "date", "where": "place"}


def answer_kind(question: str) -> str | None:
    """The kind the question's own wh-word asks for: "Who led ... when Cyprus fell?" wants a
    person, though it says "when" (question_type reads the first cue of any kind)."""
    first = _WH.search(question)
    if first and first.group(1).lower() in _BY_WH:
        return _BY_WH[first.group(1).lower()]
    clause = re.split(r"\b(?:when|where|who)\b", question[first.end():] if first else question, flags=re.I)[0]
    kind = question_type((first.group(0) if first else "") + clause)
    if kind is None and _QUANTITY_NOUNS.search(question):
        return "quantity"
    return kind


def type_check(question: str, short: str | None, sentence: str, entities: bool = True) -> tuple[bool, str]:
    """(passed, detail) for rule 4; short None (no short answer) passes. `entities`: tell places
    from people with spaCy's entity recogniser on the sentence (else only numbers are caught)."""
    if not short or not short.strip():
        return True, "no short answer to check"
    kind = answer_kind(question)
    if kind is None:
        return True, "the question asks for no particular kind of answer"
    if kind == "quantity":
        if not _NUMBER.search(short) and not (_SPAN_OF_TIME.search(question) and _DATE.search(short)):
            return False, f"asks for a quantity; {short!r} has no number"
        return _unit_check(question, short, sentence)
    if kind == "date":
        if not _DATE.search(short):
            return False, f"asks when; {short!r} is no date or time"
        return True, "a date or time"
    if not re.search(r"[A-Za-z]", short) or (re.fullmatch(r"[\W\d]*\d[\W\d]*", short)):
        return False, f"asks for a {kind}; {short!r} is a number"
    labels = entity_labels(sentence, short) if entities else set()
    wrong = labels & _WRONG_LABELS[kind]
    right = labels - _WRONG_LABELS[kind]
    if kind == "person" and not right and not re.search(r"[A-Z]", short) and not _PERSON_NOUN.search(short):
        return False, f"asks who; {short!r} names no one"
    if kind == "person" and "PERSON" not in labels and _PLACE_NOUN.search(short):
        return False, f"asks who; {short!r} is a place"
    if wrong and not right and _covered(sentence, short, _WRONG_LABELS[kind]):
        what = {"person": "who", "place": "where"}[kind]
        return False, f"asks {what}; {short!r} is a {'/'.join(sorted(wrong))}"
    return True, f"a {kind}" + (f" ({'/'.join(sorted(labels))})" if labels else "")


# Lower-case words that can answer "who": roles and groups ("the president's special envoy").
_PERSON_NOUN = re.compile(
    r"(?:er|or|ist|ian|ant|ent|ee|ive|man|men|woman|women|people|person|s)\b|\b(?:envoy|chief|head|staff|"
    r"police|army|government|council|family|king|queen|pope|clergy|crowd|team|side|club|they|he|she)\b",
    re.I,
)


_PLACE_NOUN = re.compile(r"\b(?:district|street|city|county|region|park|stadium|avenue|road|river|valley|province|"
                         r"country|town|village|square|airport|harbou?r|port|desert|island)s?\W*$", re.I)


def _covered(sentence: str, short: str, labels: set[str]) -> bool:
    """Do entities of these labels make up most of the short answer ("Middle East"), rather than
    a word of it ("the president's special envoy for the Middle East")?"""
    at = sentence.find(short)
    if at < 0:
        sentence, at = short, 0
    end = at + len(short)
    inside = sum(min(stop, end) - max(start, at) for start, stop, label in _entities(sentence)
                 if label in labels and start < end and stop > at)
    return inside * 2 >= len(short.strip())


def _unit_check(question: str, short: str, sentence: str) -> tuple[bool, str]:
    """"How much does the probe weigh?" answered by "six" with no mass unit near it fails."""
    wanted = wanted_units(question)
    near = _near_words(short, sentence)
    named = named_units(question)
    if named:  # "How many hectares": the number must be one of hectares, not of sheds
        if {_singular(w) for w in named} & {_singular(w) for w in near}:
            return True, "a number of the unit the question names"
        return False, f"asks for {'/'.join(named)}; none at {short!r}"
    if not wanted:
        # a count: a number of something else after it ("27 years" for an attendance)
        after = _near_words(short, sentence)[len(_near_words(short, "")):]
        other = [w for w in after if w in ANY_UNIT and not re.fullmatch(r"[$€£¥%°]|per|square|m|g|s", w)]
        if (_COUNT.search(question) or _QUANTITY_NOUNS.search(question)) and other:
            return False, f"asks how many; {short!r} counts {other[0]}"
        return True, "a number"
    if any(w in wanted for w in near):
        return True, "a number with a fitting unit"
    if any(w in ANY_UNIT for w in near) or not re.search(r"\d", short):
        return False, f"asks for {_unit_kind(wanted)}; no such unit at {short!r}"
    return True, "a number"  # a bare figure ("1,340" of "1,340-kilogram") stays: SQuAD answers often stop there


# The words right after "how many"/"how much": where a question names the unit it counts in
# ("How many hectares ...", not the "day" of "How many passengers ... on a typical day").
_HOW_MANY_OR_MUCH = re.compile(r"\bhow (?:many|much)\s+((?:[\w'-]+\s+){0,2}[\w'-]+)", re.I)


def named_units(question: str) -> list[str]:
    """The units a question counts in, when it names them ("hectares" in "How many hectares ...")."""
    asked = _HOW_MANY_OR_MUCH.search(question)
    return [w for w in words(asked.group(1)) if is_unit(w)] if asked else []


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


def _unit_kind(wanted: frozenset[str]) -> str:
    from qa.reader.units import UNITS

    return next((kind for kind, units in UNITS.items() if units == wanted), "a measure")


def _near_words(short: str, sentence: str, after: int = 3) -> list[str]:
    """The short answer's words, a currency sign before it and a few words after it in the sentence."""
    tokens = re.findall(r"[$€£¥%°]|[^\W_]+(?:/[^\W_]+)?", short.lower())
    at = sentence.lower().find(short.lower())
    if at >= 0:
        before = sentence[max(0, at - 2):at]
        tokens += re.findall(r"[$€£¥]", before)
        tail = sentence[at + len(short):].lower()
        tokens += re.findall(r"[$€£¥%°]|[^\W_]+(?:/[^\W_]+)?", tail)[:after]
    return tokens


# --- entities (for "who" and "where") ---------------------------------------------------------

_ner_lock = threading.Lock()


@lru_cache(maxsize=1)
def _ner():
    import spacy

    from qa.reader.syntax import MODEL_PACKAGE

    # Only the recogniser and what it reads: about 3 ms a sentence (eval/support_strictness.py).
    return spacy.load(MODEL_PACKAGE, exclude=["tagger", "parser", "lemmatizer", "attribute_ruler", "senter"])


@lru_cache(maxsize=4096)
def _entities(sentence: str) -> tuple[tuple[int, int, str], ...]:
    try:
        with _ner_lock:
            doc = _ner()(sentence)
    except (ImportError, OSError):  # no model: the regex checks above still run
        return ()
    return tuple((e.start_char, e.end_char, e.label_) for e in doc.ents)


def entity_labels(sentence: str, short: str) -> set[str]:
    """Labels of the entities overlapping the short answer in the sentence (the short alone when
    it is not found in the sentence)."""
    at = sentence.find(short)
    if at < 0:
        sentence, at = short, 0
    end = at + len(short)
    return {label for start, stop, label in _entities(sentence) if start < end and stop > at}
