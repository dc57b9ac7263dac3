"""The composition root gives the text tier the roster's first names of the moment."""

from __future__ import annotations

import asyncio

from bot.app import RosterFirstNames
from moderation.classify import build_classifier
from moderation.classify.config import ClassifierConfig
from moderation.directory import RosterDirectory
from moderation.model import Category, Person, PersonId, Role


def roster(*names: str) -> RosterDirectory:
    return RosterDirectory(Person(PersonId(n.lower()), n, Role.STUDENT) for n in names)


def test_first_names_follow_the_roster_that_is_current() -> None:
    current = [roster("Fedde de Vries", "Merijn Bakker")]
    names = RosterFirstNames(lambda: current[-1])
    assert names() == {"Fedde", "Merijn"}
    assert names() is names()  # the same roster: not worked out again per message
    current.append(roster("Tjeerd"))  # an import swaps the directory
    assert names() == {"Tjeerd"}


def test_a_classmate_named_in_a_message_is_a_target() -> None:
    current = [roster("Fedde de Vries")]
    classifier = build_classifier(ClassifierConfig(ml=None), RosterFirstNames(lambda: current[-1]))
    result = asyncio.run(classifier.classify("fedde is zo dik en lelijk"))
    assert result.score(Category.INSULT) >= 0.6
    current.append(roster("Merijn"))
    assert asyncio.run(classifier.classify("fedde is zo dik en lelijk")).score(Category.INSULT) < 0.6
