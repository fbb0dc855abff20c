"""How strict can the answer-level support rules (qa/reader/support.py) be before they refuse real
answers? Each rule variant runs over passages known to answer, and over passages known not to:

  sample gold   eval/gold/sample.jsonl answerable questions, on their gold evidence sentences
                (with the article's title and lede) from data/sample: every refusal is a real
                answer lost
  SQuAD ans     SQuAD 2.0 dev articles 0:8 (tuning split only; 8:16 stays held out), answerable
                questions on the sentence holding the answer: refusals are answers lost
  SQuAD unans   the same articles' unanswerable questions on the sentence holding their
                "plausible" answer: flags are wrong answers a reader would have given, caught
  known wrong   the six wrong answers of issue 19 on the sample corpus: how many are caught

    python eval/support_strictness.py --squad DEV_FILE --articles 0:8
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from qa.ingest.loading import load_file, walk  # noqa: E402
from qa.reader import support  # noqa: E402
from qa.reader.support import (  # noqa: E402
    TermRules,
    lede,
    passage_around,
    sentence_before,
    terms_check,
    type_check,
)


@dataclass(frozen=True)
class Case:
    question: str
    short: str | None
    passage: str
    title: str
    lede: str
    before: str = ""


# The wrong answers issue 19 lists: (question, short answer, article, words of the cited sentence).
KNOWN_WRONG = (
    ("When did Halcyon-2 launch?", "2016", "halcyon-2-launch", "Halcyon-1, launched in 2016"),
    ("How long would the ceasefire last?", "11 days", "lakemont-transit-strike", "lasted 11 days"),
    ("Who is Steve Witkoff?", "Middle East", "gaza-ceasefire-talks", "special envoy for the Middle East"),
    ("What was the attendance at last year's Continental Cup final?", "Verdant Park Stadium",
     "continental-cup-final", "at Verdant Park Stadium"),
    ("How much prize money did Redwater Athletic receive?", "$12 million", "continental-cup-final",
     "prize money of $12 million"),
    ("Who is the mayor of Lakemont?", "Colm Ferriter", "harbor-storm-first-report", "Mayor Colm Ferriter"),
)

TERM_VARIANTS: tuple[tuple[str, TermRules], ...] = (
    # "none" still applies the rules that have no switch: role, counted noun, namesake
    ("none", TermRules(names="off", identifiers=False, topic="off")),
    ("identifiers (no years)", TermRules(names="off", years=False, topic="off")),
    ("identifiers + years", TermRules(names="off", topic="off")),
    ("names any, passage+title+lede", TermRules(names="any", name_scope="title_lede", identifiers=False, topic="off")),
    ("names any, passage+title", TermRules(names="any", name_scope="title", identifiers=False, topic="off")),
    ("names all, passage+title+lede", TermRules(names="all", name_scope="title_lede", identifiers=False, topic="off")),
    ("names all, passage+title", TermRules(names="all", name_scope="title", identifiers=False, topic="off")),
    ("names all, passage only", TermRules(names="all", name_scope="passage", identifiers=False, topic="off")),
    ("names all, no sentence before", TermRules(names="all", identifiers=False, topic="off", before=False)),
    ("topic nouns, any one", TermRules(names="off", identifiers=False, topic="any")),
    ("topic nouns, all", TermRules(names="off", identifiers=False, topic="all")),
    ("topic nouns, any one, if no names", TermRules(names="off", identifiers=False, topic="unnamed")),
    ("ids + names any (passage+title+lede) + topic if no names", TermRules(names="any", name_scope="title_lede")),
    ("DEFAULT ids + names any (passage+title) + topic if no names", support.DEFAULT_RULES),
    ("ids + names all + topic any", TermRules(names="all", topic="any")),
    ("ids + names all (passage+title) + topic if no names", TermRules(names="all")),
)


def sample_cases(gold: Path, folder: Path) -> tuple[list[Case], list[Case]]:
    articles = {a.id: a for path in walk([folder]) for a in load_file(path)}
    answerable = []
    for line in gold.read_text().splitlines():
        item = json.loads(line)
        if not item["answerable"]:
            continue
        passages, titles, ledes, befores = [], [], [], []
        for evidence in item["evidence"]:
            article = articles[evidence["article"]]
            at = article.text.find(evidence["quote"])
            passages.append(passage_around(article.text, at, at + len(evidence["quote"])))
            titles.append(article.title)
            ledes.append(lede(article.text))
            befores.append(sentence_before(article.text, at))
        # multi-article questions cite several passages: the chain checks them together
        answerable.append(Case(item["question"], item["answers"][0], "\n".join(passages), "\n".join(titles),
                               "\n".join(ledes), "\n".join(befores)))
    wrong = []
    for question, short, article_id, words in KNOWN_WRONG:
        article = articles[article_id]
        at = article.text.find(words)
        wrong.append(Case(question, short, passage_around(article.text, at, at + len(words)), article.title,
                          lede(article.text), sentence_before(article.text, at)))
    return answerable, wrong


def squad_cases(path: Path, articles: str) -> tuple[list[Case], list[Case]]:
    first, last = (int(x) for x in articles.split(":"))
    topics = json.loads(path.read_text())["data"][first:last]
    answerable: list[Case] = []
    unanswerable: list[Case] = []
    for topic in topics:
        title = topic["title"].replace("_", " ")
        for paragraph in topic["paragraphs"]:  # each paragraph is one article in `qa eval --squad`
            context = paragraph["context"]
            first_sentence = lede(context)
            for qa in paragraph["qas"]:
                spans = qa["plausible_answers"] if qa.get("is_impossible") else qa["answers"]
                if not spans:
                    continue
                start = spans[0]["answer_start"]
                short = spans[0]["text"]
                case = Case(qa["question"], short, passage_around(context, start, start + len(short)), title,
                            first_sentence, sentence_before(context, start))
                (unanswerable if qa.get("is_impossible") else answerable).append(case)
    return answerable, unanswerable


def count(cases: list[Case], refuses: Callable[[Case], bool]) -> str:
    n = sum(1 for c in cases if refuses(c))
    return f"{n}/{len(cases)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, default=REPO / "eval" / "gold" / "sample.jsonl")
    parser.add_argument("--sample", type=Path, default=REPO / "data" / "sample")
    parser.add_argument("--squad", type=Path, required=True, help="the 16-article SQuAD 2.0 dev subset (JSON)")
    parser.add_argument("--articles", default="0:8", help="SQuAD articles; 8:16 is held out: do not tune on it")
    parser.add_argument("--show", default="", help="print the sample/SQuAD-answerable cases this variant refuses")
    args = parser.parse_args()
    if not args.squad.is_file():
        parser.error(f"{args.squad} does not exist: this measurement reads the 16-article SQuAD 2.0 dev "
                     "subset (articles 0:8); give its path with --squad")
    if args.articles != "0:8":
        print(f"note: measuring on SQuAD articles {args.articles}", file=sys.stderr)

    gold, wrong = sample_cases(args.gold, args.sample)
    squad_ans, squad_unans = squad_cases(args.squad, args.articles)
    header = ("variant", "sample gold refused", "SQuAD ans refused", "SQuAD unans flagged", "known wrong caught")
    rows = [header]

    def terms(rules: TermRules) -> Callable[[Case], bool]:
        return lambda c: not terms_check(c.question, c.passage, c.title, c.lede, rules, c.before)[0]

    for name, rules in TERM_VARIANTS:
        rows.append((f"terms: {name}", count(gold, terms(rules)), count(squad_ans, terms(rules)),
                     count(squad_unans, terms(rules)), count(wrong, terms(rules))))
        if args.show == name:
            for c in [*gold, *squad_ans]:
                passed, detail = terms_check(c.question, c.passage, c.title, c.lede, rules, c.before)
                if not passed:
                    print(f"  refused: {c.question!r} [{c.title}] {detail}")

    def types(entities: bool) -> Callable[[Case], bool]:
        return lambda c: not type_check(c.question, c.short, c.passage, entities=entities)[0]

    for name, entities in (("regex only", False), ("regex + NER on the sentence", True)):
        rows.append((f"type: {name}", count(gold, types(entities)), count(squad_ans, types(entities)),
                     count(squad_unans, types(entities)), count(wrong, types(entities))))
        if args.show == name:
            for c in [*gold, *squad_ans]:
                passed, detail = type_check(c.question, c.short, c.passage, entities=entities)
                if not passed:
                    print(f"  refused: {c.question!r} -> {c.short!r}: {detail}")

    def both(c: Case) -> bool:
        return terms(support.DEFAULT_RULES)(c) or types(True)(c)

    rows.append(("DEFAULT terms + type (NER)", count(gold, both), count(squad_ans, both), count(squad_unans, both),
                 count(wrong, both)))

    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))

    # The NER pass's cost on fresh sentences (the cache hides it on repeats).
    sentences = list(dict.fromkeys(c.passage for c in squad_ans))[:200]
    support.entity_labels("warm up the recogniser.", "warm")
    started = time.perf_counter()
    for s in sentences:
        support.entity_labels(s + " ", "x")
    per = (time.perf_counter() - started) * 1000 / max(1, len(sentences))
    print(f"\nNER cost: {per:.1f} ms a sentence over {len(sentences)} sentences")


if __name__ == "__main__":
    main()
