"""A deterministic synthetic news corpus: articles with titles, dates, sources, quotes, numbers
and names, plus questions whose answers the articles state.

Everything comes from one seeded `random.Random`, so the same seed and size give the same bytes.
Each article has one key fact (a number tied to a named place, person or organisation); the
questions ask for those facts, so retrieval has a right answer to find.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FIRST = """Amara Bruno Celia Dmitri Elena Farid Greta Hassan Ines Jonas Keiko Luis Maren Nikolai Olu Priya
Quentin Rosa Samir Tova Ulrich Vera Wen Ximena Yusuf Zofia Anders Bianca Caio Daria Emeka Fenna Goran Hana
Ivo Jana Kofi Lena Mateo Nadia""".split()
LAST = """Abara Brandt Castillo Dvorak Eriksen Fontaine Gallo Haddad Ibsen Jovanovic Kaur Lindqvist Moreau
Nakamura Okafor Petrov Quispe Romano Sato Tanaka Ueda Varga Weller Xu Yilmaz Zeller Achterberg Bellamy Carvalho
Delacroix Esposito Fischer Grimaldi Holm Ivanova Janssen Kowalski Lund Mbeki Novak""".split()
CITIES = ["Norvale", "Eastmere", "Calder Bay", "Redhaven", "Port Aldine", "Westbrook", "Lakemont", "Silverton",
          "Harrowgate", "Kestrel Falls", "Brightwater", "Dunmore", "Oakridge", "Marlow", "Stonebridge", "Ferncliff",
          "Ashby", "Glenrock", "Millbrook", "Thornbury"]
SOURCES = ["Harbor Courier", "Daily Meridian", "Northern Ledger", "Valley Wire", "Coastal Times", "Metro Dispatch",
           "The Evening Post", "Civic Review", "Riverside Herald", "Continental Press"]
ORGS = ["Brightline Transit", "Keel & Co", "Orison Energy", "Halvard Shipping", "Lumen Health", "Vantor Systems",
        "Greyfield Mining", "Solace Foods", "Arcadia Telecom", "Pinecrest Bank", "Tessellate Labs", "Northwind Air"]
ROLES = ["a spokesperson", "the chief executive", "a council member", "the union's president", "an economist",
         "the mayor", "a senior engineer", "the health minister", "a local shop owner", "the head of research"]
PROJECTS = ["the harbour bridge", "the east rail line", "flood defences", "the central library", "school repairs",
            "the water treatment plant", "electric buses", "the old market hall", "the river walk", "street lighting"]
COUNTRIES = ["Norland", "Estavia", "Corvania", "Meridia", "Valtoria", "Ostrana", "Belmora", "Galdoria"]
GOODS = ["steel", "grain", "copper", "timber", "solar panels", "fertiliser", "rice", "coffee"]
TEAMS = ["Redhaven Rovers", "Calder United", "Norvale Athletic", "Eastmere City", "Port Aldine Wanderers",
         "Lakemont Albion", "Silverton FC", "Dunmore Harriers"]

FILLER = [
    "Officials said the plan would be reviewed again in {month} after a public consultation.",
    "The figures were published on {weekday} in a {pages}-page report.",
    "Residents gathered outside the town hall on {weekday} evening, some carrying hand-written signs.",
    "Analysts at {org} said the decision could affect prices for at least {n} months.",
    "Similar measures were tried in {city} in {year}, with mixed results.",
    "The proposal drew {n} written objections during the comment period.",
    "Traffic was diverted around the area for most of the afternoon.",
    "According to the latest estimates, about {n},{k:03d} people live within the affected district.",
    "The regional authority has not yet said whether it will appeal.",
    "Opposition members described the timetable as unrealistic and asked for an independent audit.",
    "{first} {last}, who has lived in {city} for {n} years, said the changes were overdue.",
    "Earlier this year the same committee rejected a smaller version of the plan by {n} votes to {m}.",
    "A final decision is expected before the end of {month}.",
    "Talks continued late into the night, according to two people familiar with the discussions.",
    "The company's shares closed {pct} percent higher on {weekday}.",
    "Inspectors visited the site on {n} occasions last year, records show.",
    "Weather forecasters expect temperatures to fall below {m} degrees by the weekend.",
    "Funding for the second phase has not been agreed, officials said.",
]
QUOTES = [
    "We have waited long enough, and people deserve to see real progress",
    "This is a difficult decision, but the numbers leave us very little choice",
    "Nobody expected the costs to rise this quickly",
    "Our priority is keeping families safe through the winter",
    "It is a good first step, though much more work remains",
    "We will keep talking as long as there is a chance of agreement",
    "The evidence simply does not support that claim",
    "I have never seen anything like it in thirty years of work here",
]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@dataclass(frozen=True)
class SyntheticArticle:
    id: str
    title: str
    source: str
    published: str
    text: str
    question: str
    answer: str

    def markdown(self) -> str:
        return (
            f"---\nid: {self.id}\ntitle: {self.title}\nsource: {self.source}\npublished: {self.published}\n---\n"
            f"{self.text}\n"
        )


def _slots(rng: random.Random) -> dict:
    return {
        "first": rng.choice(FIRST), "last": rng.choice(LAST), "city": rng.choice(CITIES), "org": rng.choice(ORGS),
        "month": rng.choice(MONTHS), "weekday": rng.choice(WEEKDAYS), "n": rng.randint(2, 95),
        "m": rng.randint(1, 40), "k": rng.randint(0, 999), "pct": round(rng.uniform(0.4, 18.0), 1),
        "pages": rng.randint(12, 240), "year": rng.randint(1998, 2024),
    }


def _key_fact(rng: random.Random, s: dict) -> tuple[str, str, str, str]:
    """(title, lead sentence, question, answer) for one of several news topics."""
    topic = rng.randrange(6)
    if topic == 0:
        amount, project = f"${rng.randint(3, 900)}.{rng.randint(1, 9)} million", rng.choice(PROJECTS)
        return (f"{s['city']} council approves {amount} for {project}",
                f"The {s['city']} city council on {s['weekday']} approved {amount} for {project}, "
                f"ending months of debate.",
                f"How much did the {s['city']} council approve for {project}?", amount)
    if topic == 1:
        homes = f"{rng.randint(2, 90)},{rng.randint(100, 999)}"
        storm = rng.choice(["Alder", "Birch", "Cedar", "Dagny", "Eskil", "Freya", "Gorm", "Hilde"])
        return (f"Storm {storm} cuts power to {homes} homes in {s['city']}",
                f"Storm {storm} left {homes} homes in {s['city']} without power on {s['weekday']}, "
                f"the utility said.",
                f"How many homes in {s['city']} lost power during Storm {storm}?", homes)
    if topic == 2:
        pct = f"{round(rng.uniform(1, 25), 1)} percent"
        return (f"{s['org']} reports {pct} rise in quarterly profit",
                f"{s['org']} said on {s['weekday']} that its quarterly profit rose {pct}, "
                f"beating forecasts.",
                f"By how much did {s['org']}'s quarterly profit rise?", pct)
    if topic == 3:
        a, b = rng.sample(COUNTRIES, 2)
        good, rate = rng.choice(GOODS), f"{rng.randint(2, 45)} percent"
        return (f"{a} and {b} agree to cut {good} tariffs",
                f"{a} and {b} agreed to lower tariffs on {good} to {rate}, negotiators said on {s['weekday']}.",
                f"To what level will {a} and {b} lower tariffs on {good}?", rate)
    if topic == 4:
        name, share = f"{s['first']} {s['last']}", f"{rng.randint(40, 78)} percent"
        return (f"{name} wins {s['city']} mayoral race",
                f"{name} was elected mayor of {s['city']} with {share} of the vote, official results showed.",
                f"What share of the vote did {name} win in {s['city']}?", share)
    home, away = rng.sample(TEAMS, 2)
    score = f"{rng.randint(1, 5)}-{rng.randint(0, 3)}"
    return (f"{home} beat {away} {score} to reach the cup final",
            f"{home} beat {away} {score} on {s['weekday']} night to reach the cup final.",
            f"What was the score when {home} played {away}?", score)


def article(rng: random.Random, number: int) -> SyntheticArticle:
    s = _slots(rng)
    title, lead, question, answer = _key_fact(rng, s)
    paragraphs = [lead]
    for _ in range(rng.randint(6, 14)):
        sentences = []
        for _ in range(rng.randint(2, 4)):
            t = _slots(rng)
            if rng.random() < 0.25:
                sentences.append(f"\u201c{rng.choice(QUOTES)},\u201d said {t['first']} {t['last']}, "
                                 f"{rng.choice(ROLES)} at {t['org']}.")
            else:
                sentences.append(rng.choice(FILLER).format(**t))
        paragraphs.append(" ".join(sentences))
    day = date(2024, 1, 1) + timedelta(days=rng.randrange(730))
    return SyntheticArticle(
        id=f"news-{number:06d}", title=title, source=rng.choice(SOURCES), published=day.isoformat(),
        text="\n\n".join(paragraphs), question=question, answer=answer,
    )


def articles(seed: int = 7) -> Iterator[SyntheticArticle]:
    rng = random.Random(seed)
    number = 0
    while True:
        yield article(rng, number)
        number += 1


@dataclass(frozen=True)
class CorpusInfo:
    folder: str
    articles: int
    chunks: int
    bytes: int
    questions: str  # path of questions.jsonl


def write_corpus(folder: Path, target_chunks: int, chunk_size: int, chunk_overlap: int, seed: int = 7,
                 questions: int = 100) -> CorpusInfo:
    """Write .md articles (100 per sub-folder) until qa's chunker makes `target_chunks` chunks."""
    from qa.ingest.chunking import chunk_text

    folder = Path(folder)
    chunks = size = count = 0
    asked: list[dict] = []
    for item in articles(seed):
        if chunks >= target_chunks:
            break
        sub = folder / "articles" / f"{count // 100:04d}"
        sub.mkdir(parents=True, exist_ok=True)
        data = item.markdown().encode("utf-8")
        (sub / f"{item.id}.md").write_bytes(data)
        size += len(data)
        chunks += len(chunk_text(item.id, item.text, chunk_size, chunk_overlap))
        count += 1
        asked.append({"question": item.question, "answer": item.answer, "article": item.id})
    picks = random.Random(seed + 1).sample(asked, min(questions, len(asked)))
    qpath = folder / "questions.jsonl"
    qpath.write_text("".join(json.dumps(q) + "\n" for q in picks), encoding="utf-8")
    return CorpusInfo(str(folder / "articles"), count, chunks, size, str(qpath))
