"""Pairs of texts for the near-duplicate threshold: copies, lightly edited copies, and different
stories on the same topic (written for this project; the stories are in web_stories.py)."""

from __future__ import annotations

import re

from web_stories import STORIES

BY_SLUG = {s.slug: s for s in STORIES}


def text(slug: str) -> str:
    return "\n".join(BY_SLUG[slug].paragraphs)


def _replace(slug: str, n: int, sentence: str) -> str:
    paragraphs = list(BY_SLUG[slug].paragraphs)
    paragraphs[n] = sentence
    return "\n".join(paragraphs)


# The same story on two different days, or two outlets' own reports of one event.
FOLLOW_UPS = {
    "harbour-pier": (
        "Work on the north pier in Port Avalen began on Monday, two weeks later than planned.\n"
        "A barge carrying the first steel piles arrived from the shipyard at Santa Ines overnight.\n"
        "The harbour board said the delay was caused by a late delivery of concrete, not by the weather.\n"
        "Fishing crews have moved to the south quay, where the board has added temporary lighting.\n"
        "Marta Quell said the pier would still reopen before the autumn storms."
    ),
    "bus-strike": (
        "Norvale's bus drivers returned to work on Saturday after accepting a five percent rise for night shifts.\n"
        "The deal was reached late on Friday after nine hours of talks led by the regional mediator.\n"
        "Union leaders said members had voted by a large majority to accept the offer.\n"
        "All ninety routes were running normally by the afternoon, the transport authority said.\n"
        "The authority estimated that the three-day strike had cost it 1.4 million in lost fares."
    ),
    "heatwave": (
        "Storms brought an end to the heatwave in Valmora on Friday, with hail damaging cars in the old town.\n"
        "Temperatures fell by fifteen degrees in two hours as the storm front crossed the city.\n"
        "Firefighters answered more than two hundred calls about flooded cellars and fallen branches.\n"
        "The weather service lifted its red warning and replaced it with a yellow warning for thunderstorms.\n"
        "Hospitals said admissions had returned to normal levels."
    ),
    "museum-theft": (
        "Police in Ardmore have arrested two men in connection with the theft of medieval gold coins from the city museum.\n"
        "Officers found nine of the coins in a flat in the harbour district on Wednesday.\n"
        "The men, aged 34 and 41, were held on suspicion of burglary and handling stolen goods.\n"
        "Fiona Kerr, the museum's director, said she was relieved but worried about the coins still missing.\n"
        "Detectives believe some of the coins may already have been sold abroad."
    ),
    "election-result": (
        "Turnout in Port Avalen's mayoral election reached 61 percent, the highest in two decades.\n"
        "Analysts said the close race between Marta Quell and Paulo Reis had drawn younger voters to the polls.\n"
        "Polling stations in the harbour district stayed open an extra hour because of long queues.\n"
        "The electoral office said counting had been slowed by a computer fault at one station.\n"
        "Final results were confirmed on Monday morning."
    ),
    "wind-farm": (
        "Fishing associations on the Kestrel coast have filed an appeal against the approval of a forty-turbine wind farm.\n"
        "Their lawyer said the energy agency had ignored a study showing that cod spawn near the site.\n"
        "The developer said it had followed every rule and expected the appeal to fail.\n"
        "The administrative court is expected to hear the case early next year.\n"
        "Construction cannot start until the court has ruled."
    ),
}

_FIGURE_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "thirty", "forty", "sixty", "ninety", "hundred", "thousand", "million"}


def _has_figure(sentence: str) -> bool:
    return bool(re.search(r"\d", sentence)) or bool(_FIGURE_WORDS & set(re.findall(r"[a-z]+", sentence.lower())))


def slugs_after(slug: str) -> str:
    names = list(BY_SLUG)
    return names[(names.index(slug) + 1) % len(names)]


# name -> (first text, second text, is a duplicate)
PAIRS: dict[str, tuple[str, str, bool]] = {}
for slug, story in BY_SLUG.items():
    base = text(slug)
    PAIRS[f"copy/{slug}"] = (base, base, True)
    PAIRS[f"updated-line/{slug}"] = (base, f"Updated 09:15\n{base}", True)
    PAIRS[f"dateline/{slug}"] = (base, f"PORT AVALEN, 4 March (Meridian Wire) - {base}", True)
    PAIRS[f"headline-and-byline/{slug}"] = (base, f"{story.title}\nBy {story.author}\n{base}\nShare this story", True)
    PAIRS[f"typo-fixed/{slug}"] = (base, base.replace(" the ", " teh ", 1), True)
    first = story.paragraphs[0]
    PAIRS[f"one-sentence-reworded/{slug}"] = (base, _replace(slug, 0, f"According to officials, {first[0].lower()}{first[1:]}"), True)
    # a changed number is a correction or an update: both reports are kept
    PAIRS[f"number-changed/{slug}"] = (base, base.replace("two", "three", 1) if "two" in base else base + " 3.",
                                       "two" not in base)
    # lightly edited: one sentence replaced by a new one; a short paragraph added at the end
    # (when the dropped sentence held a figure, the new text changed the facts: not a duplicate)
    PAIRS[f"sentence-replaced/{slug}"] = (base, _replace(slug, 1, "Officials declined to give further details on Tuesday."),
                                          not _has_figure(story.paragraphs[1]))
    PAIRS[f"paragraph-added/{slug}"] = (base, f"{base}\nThis story has been updated with comment from the city council.", True)
    # rewritten: half the paragraphs replaced by new reporting is a new story
    half = len(story.paragraphs) // 2 + 1
    PAIRS[f"half-rewritten/{slug}"] = (base, "\n".join([*story.paragraphs[:len(story.paragraphs) - half],
                                                         *FOLLOW_UPS.get(slug, text(slugs_after(slug))).split("\n")[:half]]), False)
for slug, other in FOLLOW_UPS.items():
    PAIRS[f"follow-up/{slug}"] = (text(slug), other, False)
slugs = list(BY_SLUG)
for a, b in zip(slugs, slugs[1:]):
    PAIRS[f"other-story/{a}+{b}"] = (text(a), text(b), False)
PAIRS["same-people/harbour-pier+election-result"] = (text("harbour-pier"), text("election-result"), False)
PAIRS["same-reporter/bus-strike+housing-plan"] = (text("bus-strike"), text("housing-plan"), False)
