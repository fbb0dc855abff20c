"""The dependency test for chat turns (qa/text/followups.py): which turns lean on earlier ones."""

import pytest

from qa.text.followups import depends_on_earlier, names, pronouns_back, reference


@pytest.mark.parametrize(
    "question, why",
    [
        ("and how many bodies?", "ellipsis"),
        ("what about Norvale?", "ellipsis"),
        ("and in 2019?", "ellipsis"),
        ("how about the injured?", "ellipsis"),
        ("Who else?", "ellipsis"),
        ("what did he say?", "pronoun"),
        ("What did the mayor say about it?", "pronoun"),  # "the mayor" is not what "it" means
        ("How many hostages would they release?", "pronoun"),
        ("Who said that?", "pronoun"),
        ("Who approved that plan?", "pronoun"),
        ("Why was that?", "pronoun"),
        ("What happened there?", "pronoun"),
        ("What happened then?", "pronoun"),
        ("Were those numbers revised?", "pronoun"),
        ("Who was their coach?", "pronoun"),  # a possessive with no name in the question
        ("How long did it take?", "pronoun"),
        ("Is the same true for Castelmere?", "comparison"),
        ("Did Castelmere raise taxes too?", "comparison"),
        ("Did the board also approve a buyback?", "comparison"),
        ("Norvale?", "fragment"),
        ("the injured?", "fragment"),
        ("Which unit?", "fragment"),
        ("Why?", "fragment"),
        ("Who won?", "no topic"),
        ("What happened next?", "no topic"),
    ],
)
def test_a_turn_that_points_back_depends_on_earlier_turns(question, why):
    assert reference(question) == why
    assert depends_on_earlier(question)


@pytest.mark.parametrize(
    "question",
    [
        "What is the capital of France?",
        "Who is Steve Witkoff?",
        "Is it true that the Falcons won the cup?",  # dummy "it", "that" opens a clause
        "It is likely that Kestrel will double production?",
        "How long did it take to build the plant?",
        "What did Witkoff say that the draft terms require?",
        "Who said that penalties are cruel?",
        "Which plan that passed in June raised taxes?",  # a relative "that" after a noun phrase
        "Is there a shelter on Marlowe Street?",  # existential "there"
        "How many people were there in the shelters in Port Avalen?",
        "What happened this year to Kestrel's stock?",  # "this year" is now, not the last turn
        "What did the council approve, and what did it cost?",  # "it" has its noun in the question
        "What did Mayor Elena Varga say about her budget?",
        "What share of its workforce will Kestrel Dynamics cut?",  # a possessive before its name
        "How many people live in Lakemont?",
        "Who leads Kestrel Dynamics?",
        "If Hamas frees the hostages, then what happens to the truce?",
    ],
)
def test_a_question_that_names_its_topic_stands_alone(question):
    assert reference(question) is None


def test_pronouns_back_lists_only_the_pronouns_that_point_back():
    assert pronouns_back("what did he say about it?") == ["he", "it"]
    assert pronouns_back("Is it true that Varga said her budget is fair?") == []
    assert pronouns_back("What did Varga say about it?") == ["it"]


def test_names_are_runs_of_capitals_but_not_a_sentence_opener():
    text = ("According to Witkoff, Hamas would free ten hostages. Steve Witkoff, the president's envoy, "
            "spoke to the Marlow County Office of Emergency Management about Netanyahu's trip. I agree.")
    assert names(text) == ["Witkoff", "Hamas", "Steve Witkoff", "Marlow County Office of Emergency Management",
                           "Netanyahu"]
    assert names("Who is Steve Witkoff?") == ["Steve Witkoff"]
    assert names("what about Norvale?") == ["Norvale"]
    assert names("how many bodies?") == []
