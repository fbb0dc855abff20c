"""Does a chat turn lean on the turns before it, or does it stand alone?

A follow-up is condensed with the earlier turns before retrieval ("and how many bodies?" needs the
hostages question before it), but a question that names its own topic must be searched as
written: "What is the capital of France?" after a question about bodies is not about bodies.

A turn depends on earlier turns when it has (checked in this order):
  ellipsis    it opens by continuing or pointing back: "and ...", "what about ...", "how about ..."
  pronoun     a pronoun that points back: he, she, it, they, this, that, there, then ... but not the
              dummy "it" ("is it true that ..."), "that" as a conjunction or relative ("said that
              the", "the plan that passed"), "there is", "this year", nor a pronoun whose name or
              noun comes earlier in the same question ("What did the council approve, and what
              did it cost?")
  comparison  same, also, else, other, another, instead, "too" at the end, "the rest"
  fragment    four words or fewer with no verb: "Norvale?", "the injured?", "in 2019?"
  no topic    no word that names a topic: "Who won?", "What happened next?"
Word lists and regular expressions only: this runs before every chat turn, on any model.
"""

from __future__ import annotations

import re

from qa.text.tokens import STOPWORDS

# Words (case kept; inner apostrophes, dots and hyphens keep "Netanyahu's", "U.S", "Halcyon-2"
# whole) and the punctuation that separates clauses.
_TOKEN = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*|[,;:?!]")
_CONTRACTION = re.compile(r"\b(it|that|there|he|she|what|who|where|how)['’]s\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+")

_OPENERS = re.compile(
    r"^\W*(?:and|but|or|plus|also|then|as for|same for|what about|how about|what of|what else|"
    r"who else|where else|anything else|any other)\b",
    re.IGNORECASE,
)

PERSONAL = frozenset("he she him her hers it they them his its their theirs himself herself itself themselves".split())
_POSSESSIVE = frozenset("his her its their".split())
PERSON = frozenset("he she him his her hers himself herself".split())
_BE = frozenset("is are was were be been being am will would does did do has have had can could may might should".split())
_AUX = _BE | frozenset("shall must".split())
# Predicates that make "it" a dummy subject: "is it true that ...", "it was expected to ...".
_DUMMY_IT_PREDICATES = frozenset(
    "true false possible likely unlikely known clear right correct certain fair safe legal confirmed expected "
    "reported necessary hard easy official illegal".split()
)
_DUMMY_IT_VERBS = frozenset("take takes took rain rained snow seem seems seemed appear appears appeared".split())
# Words after which "that" starts a clause ("said that ..."), not a reference.
_THAT_CLAUSE_HEADS = frozenset(
    """say says said saying claim claims claimed true report reports reported believe believes believed think
    thinks thought know knows knew announce announced warn warns warned mean means meant expect expects
    expected hope hoped confirm confirmed deny denied so now such given fact possible likely clear sure show
    shows showed suggest suggested argue argued insist insisted promise promised note noted add added""".split()
)
# Words that open a subject or a noun phrase: after them "that" is a conjunction or a relative.
_SUBJECT_STARTS = frozenset("the a an his her its their he she they it we i you there this these those some no every all".split())
_DETERMINERS = frozenset("the a an his her its their this these those some any every each no".split())
# Before these, "this" is the present ("this year"), not the earlier turn.
_TIME_NOUNS = frozenset(
    "year week month morning afternoon evening night season quarter time summer winter spring autumn fall weekend decade century".split()
)
# Words between a name and a pronoun that start a new clause, where the pronoun can point back to it.
_CLAUSE_BREAKS = frozenset(", ; and but or when after before because while since if so until once where who which whose than".split())
_SAME_WORDS = frozenset("same also else other others another instead likewise similarly latter former".split())
_IMPERATIVES = frozenset("tell name list give describe explain compare show summarize summarise".split())
_IRREGULAR_VERBS = frozenset(
    """won lost said led made took gave went came paid sold bought told left saw ran hit cut set put spent built
    began became fell rose met beat kept held brought fought struck shot drove flew knew thought found got grew
    wrote sent won't win wins lose loses lead leads say says make makes take takes give gives go goes come comes
    pay pays sell sells run runs cost costs die dies rise rises fall falls meet meets hold holds vote votes
    happen happens launch launches earn earns approve approves""".split()
)
# Words that ask but name no topic: a question made only of these needs the earlier turn's topic.
_GENERIC = frozenset(
    """say says said saying tell told happen happens happened happening mean means meant go goes went get gets
    got make makes made take takes took know knew think win wins won lose loses lost cost costs come comes came
    next first last exactly exact many much long old big large often far number amount thing things one ones
    reason kind way time times really actually detail details still later earlier left start started end ended
    begin began decide decided answer respond responded react reacted else more less why""".split()
)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_CONTRACTION.sub(r"\1 is", text))


def _is_word(token: str) -> bool:
    return token[0].isalnum()


def _is_name(tokens: list[str], i: int) -> bool:
    """A capitalised word that is not just the question's first word ("What", "Did")."""
    token = tokens[i]
    if not token[0].isupper() or token == "I":
        return False
    return i > 0 or token.lower() not in STOPWORDS | _IMPERATIVES


def _antecedent(tokens: list[str], low: list[str], i: int, *, possessive: bool) -> bool:
    """Does tokens[i] have a name or a "the X" noun phrase in the question itself? A possessive
    may point either way ("What share of its workforce will Kestrel cut?"); another pronoun only
    back across a clause break ("What did the mayor say about it?" has none for "it")."""
    for j in range(len(tokens) if possessive else i):
        if j == i:
            continue
        found = _is_name(tokens, j) or (low[j] in ("the", "a", "an") and j + 1 < len(tokens) and j + 1 != i)
        if found and (possessive or any(low[k] in _CLAUSE_BREAKS for k in range(j + 1, i))):
            return True
    return False


def _dummy_it(low: list[str], i: int) -> bool:
    before = low[i - 1] if i else ""
    after = low[i + 1 : i + 3] + ["", ""]
    if before in _BE and after[0] in _DUMMY_IT_PREDICATES:  # "is it true that"
        return True
    if after[0] in _BE and after[1] in _DUMMY_IT_PREDICATES:  # "it is likely that"
        return True
    # "how long did it take to build", but a bare "how long did it take?" still points back.
    return after[0] in _DUMMY_IT_VERBS and "to" in low[i + 2 :]


def _that_points_back(tokens: list[str], low: list[str], i: int) -> bool:
    before = low[i - 1] if i else ""
    after = tokens[i + 1] if i + 1 < len(tokens) else "?"
    if not _is_word(after):
        return True  # "What caused that?"
    if before in _THAT_CLAUSE_HEADS:
        return False  # "said that ..."
    if after.lower() in _SUBJECT_STARTS or after[0].isupper() or after[0].isdigit():
        return False  # a clause follows: "... that the council approved"
    opens_phrase = _DETERMINERS | {"which", "what", "whose"}
    if i >= 2 and (low[i - 2] in opens_phrase or (i >= 3 and low[i - 3] in opens_phrase)):
        return False  # a relative after a noun phrase: "the plan that passed", "which plan that"
    return True  # "Who approved that plan?", "after that"


def _pronoun_points_back(tokens: list[str], low: list[str], i: int) -> bool:
    word = low[i]
    if word in PERSONAL:
        if word == "it" and _dummy_it(low, i):
            return False
        possessive = word in _POSSESSIVE or word.endswith("self") or word.endswith("selves")
        return not _antecedent(tokens, low, i, possessive=possessive)
    if word == "that":
        return _that_points_back(tokens, low, i)
    if word == "this":
        return i + 1 >= len(low) or low[i + 1] not in _TIME_NOUNS
    if word in ("these", "those"):
        return i + 1 >= len(low) or low[i + 1] not in ("who", "that", "which", "of")
    if word == "there":  # "is there", "there were": existential
        return (i == 0 or low[i - 1] not in _AUX) and (i + 1 >= len(low) or low[i + 1] not in _AUX)
    if word == "then":
        return "if" not in low[:i]
    return False


def _same_word(low: list[str], i: int) -> bool:
    word = low[i]
    if word == "other":
        return (i == 0 or low[i - 1] != "each") and (i + 1 >= len(low) or low[i + 1] != "than")
    if word in _SAME_WORDS:
        return True
    ends_clause = i + 1 >= len(low) or not _is_word(low[i + 1])
    if word in ("too", "either") or (word == "well" and i and low[i - 1] == "as"):
        return ends_clause  # "... too?", not "too many"
    return word == "rest" and i > 0 and low[i - 1] == "the"


def _has_verb(tokens: list[str], low: list[str]) -> bool:
    for i, word in enumerate(low):
        if word in _AUX or word in _IRREGULAR_VERBS or (i == 0 and word in _IMPERATIVES):
            return True
        after_determiner = i > 0 and low[i - 1] in _DETERMINERS
        if i > 0 and word.endswith("ed") and len(word) > 4 and not after_determiner:
            return True
        if i > 0 and low[i - 1] in ("who", "which", "what") and word.endswith("s") and not _is_name(tokens, i):
            return True  # "Who leads the agency?"
    return False


def _names_a_topic(tokens: list[str], low: list[str]) -> bool:
    return any(
        _is_word(t) and (l not in STOPWORDS and l not in _GENERIC or _is_name(tokens, i) or t[0].isdigit())
        for i, (t, l) in enumerate(zip(tokens, low))
    )


def reference(question: str) -> str | None:
    """Why the turn depends on earlier turns ("ellipsis", "pronoun", "comparison", "fragment",
    "no topic"), or None when it stands alone and should be searched as written."""
    tokens = _tokens(question)
    low = [t.lower() for t in tokens]
    if _OPENERS.match(question):
        return "ellipsis"
    if any(_pronoun_points_back(tokens, low, i) for i in range(len(low))):
        return "pronoun"
    if any(_same_word(low, i) for i in range(len(low))):
        return "comparison"
    words = [t for t in tokens if _is_word(t)]
    if len(words) <= 4 and not _has_verb(tokens, low):
        return "fragment"
    if not _names_a_topic(tokens, low):
        return "no topic"
    return None


def depends_on_earlier(question: str) -> bool:
    """Does the turn need the earlier turns to be understood (and searched)?"""
    return reference(question) is not None


def pronouns_back(question: str) -> list[str]:
    """The pronouns in the turn that point back to an earlier one, lower-cased ("what did he
    say?" -> ["he"]; "Is it true that ..." -> [])."""
    tokens = _tokens(question)
    low = [t.lower() for t in tokens]
    return [w for i, w in enumerate(low) if _pronoun_points_back(tokens, low, i)]


def names(text: str) -> list[str]:
    """The names in a text, in order, each once: runs of capitalised words ("Steve Witkoff",
    "Office of Emergency Management", "Route 7"). A sentence's first word counts only when a capitalised
    word follows it ("Witkoff said" loses it; "According to Witkoff" must not yield "According")."""
    found: list[str] = []
    for sentence in _SENTENCE_END.split(text):
        tokens = _TOKEN.findall(sentence)  # punctuation kept: a comma ends a name
        run: list[str] = []
        for i, token in enumerate(tokens + [""]):
            capital = bool(token) and token[0].isupper() and token != "I" and token.lower() not in STOPWORDS
            if i == 0 and capital and not (len(tokens) > 1 and tokens[1][0].isupper()):
                capital = False
            linking = token in ("of", "al", "de", "van", "von") and run and i + 1 < len(tokens) and tokens[i + 1][0].isupper()
            numbered = bool(run) and token.isdigit()  # "Route 7", "Station 14"
            if capital or linking or numbered:
                run.append(token)
                continue
            if run:
                name = re.sub(r"['’]s$", "", " ".join(run))
                if name not in found:
                    found.append(name)
                run = []
    return found
