"""Who sees what, for each role, on real incidents made by the real Moderator (R12, R13, AVG access log)."""

from __future__ import annotations

from sqlalchemy import select

from moderation.incidents.access import Actor
from moderation.incidents.review import Result
from moderation.roster import parse_roster, store_roster
from moderation.storage.incidents import HistoryRow, IncidentRow, ReviewerRow
from tests.support.core import roster_csv
from tests.support.review import REVIEW_PEOPLE, School, actor


def visible(school: School, pid: str) -> set[int]:
    return {card.id for card in school.review.list_for(actor(school, pid))}


async def test_each_role_sees_exactly_its_own(school: School) -> None:
    sanne_sexual = await school.incident("sanne", "[sexual] stuur foto")  # student, not bullying: mentor jan
    sanne_insult = await school.incident("sanne", "[insult] jij sukkel")  # bullying: jan + coordinator abc
    parent = await school.incident("p-sanne", "[sexual] ouder")  # a parent: routed like their child, to jan
    noor = await school.incident("noor", "[sexual] iets", room="klas-3a")  # eva's student
    tom = await school.incident("tom", "[sexual] docent")  # staff: manager mgr, never a mentor
    unknown = await school.incident("stranger", "[sexual] wie ben ik")  # not on the roster: leadership
    everything = {sanne_sexual, sanne_insult, parent, noor, tom, unknown}

    assert visible(school, "jan") == {sanne_sexual, sanne_insult, parent}
    assert visible(school, "eva") == {noor}
    assert visible(school, "abc") == {sanne_insult}
    assert visible(school, "mgr") == {tom}
    assert visible(school, "dir") == everything
    assert {c.id for c in school.review.list_for(Actor.cli("admin"))} == everything
    assert visible(school, "sanne") == set()  # students review nothing, not even their own incident
    assert visible(school, "tom") == set()


async def test_staff_incident_never_reaches_a_students_mentor_even_if_recorded_so(school: School) -> None:
    """Defence in depth: even a (corrupted) mentor assignment on a staff member's incident grants nothing."""
    incident = await school.incident("tom", "[insult] docent scheldt")
    with school.core.sessions.begin() as session:
        row = session.get(IncidentRow, incident)
        assert row is not None
        row.reviewers.append(ReviewerRow(person_id="jan", reason="mentor"))
    refused = school.review.show(incident, actor(school, "jan"))
    assert refused.result is Result.FORBIDDEN
    assert incident not in visible(school, "jan")


async def test_reads_and_refusals_are_in_the_history(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] x")
    assert school.review.show(incident, actor(school, "jan")).result is Result.DONE
    refused = school.review.show(incident, actor(school, "eva"))
    assert refused.result is Result.FORBIDDEN and refused.card is None
    assert "not yours" in refused.message
    school.review.list_for(actor(school, "dir"))
    with school.core.sessions() as session:
        lines = [
            (h.actor, h.action, h.detail)
            for h in session.scalars(select(HistoryRow).where(HistoryRow.incident_id == incident))
        ]
    assert ("jan", "viewed", "") in lines
    assert any(a == "eva" and act == "refused" and "viewed" in d for a, act, d in lines)
    assert ("dir", "listed", "") in lines


async def test_reporter_is_visible_to_leadership_only(school: School) -> None:
    from moderation.enforcers import DryRunEnforcer
    from moderation.model import AccountId, EventId, Message, Platform, RoomId

    message = Message(
        Platform.CONSOLE, RoomId("klas-2b"), EventId("m1"), AccountId("sanne"), "jij bent raar", school.clock.now()
    )
    outcome = await school.core.moderator.report(message, AccountId("daan"), "ze pest", DryRunEnforcer())
    assert outcome.incident is not None
    incident = outcome.incident.id
    mentor_view = school.review.show(incident, actor(school, "jan"))
    assert mentor_view.card is not None and mentor_view.card.reporter is None
    leader_view = school.review.show(incident, actor(school, "dir"))
    assert leader_view.card is not None and leader_view.card.reporter == "daan"
    from bot.texts.nl import DUTCH
    from moderation.incidents.cards import render_text

    mentor_text, leader_text = render_text(mentor_view.card, DUTCH), render_text(leader_view.card, DUTCH)
    assert "daan" not in mentor_text and "Gemeld door" not in mentor_text
    assert "Gemeld door:" in leader_text and "daan (alleen de schoolleiding ziet dit)" in leader_text


async def test_nobody_but_leadership_sees_an_incident_about_themself(school: School) -> None:
    incident = await school.incident("abc", "[insult] de coordinator scheldt")  # abc is the coordinator
    assert school.review.show(incident, actor(school, "abc")).result is Result.FORBIDDEN
    assert school.review.show(incident, actor(school, "dir")).result is Result.DONE


async def test_someone_who_left_the_school_sees_nothing(school: School) -> None:
    incident = await school.incident("sanne", "[sexual] x")
    jan = actor(school, "jan")
    remaining = [p if p["id"] != "sanne" else {**p, "mentor": "eva"} for p in REVIEW_PEOPLE if p["id"] != "jan"]
    remaining = [p if p["id"] not in ("daan", "p-sanne") else {**p, "mentor": "eva"} for p in remaining]
    store_roster(school.core.sessions, parse_roster(roster_csv(remaining)), school.clock.now())
    school.core.reload_directory()
    assert school.review.show(incident, jan).result is Result.FORBIDDEN  # the old Actor value carries no rights
    assert school.review.show(incident, actor(school, "eva")).result is Result.DONE  # the new mentor does


async def test_rights_follow_todays_roster_not_the_actor_value(school: School) -> None:
    incident = await school.incident("noor", "[sexual] x", room="klas-3a")
    eva_as_leader = actor(school, "eva")
    promoted = [{**p, "leadership": "yes"} if p["id"] == "eva" else p for p in REVIEW_PEOPLE]
    store_roster(school.core.sessions, parse_roster(roster_csv(promoted)), school.clock.now())
    school.core.reload_directory()
    jan_before = actor(school, "jan")
    assert school.review.show(incident, jan_before).result is Result.FORBIDDEN
    assert school.review.show(incident, eva_as_leader).result is Result.DONE
    demoted = [{**p, "mentor": "jan"} if p["id"] == "noor" else p for p in REVIEW_PEOPLE]
    store_roster(school.core.sessions, parse_roster(roster_csv(demoted)), school.clock.now())
    school.core.reload_directory()
    assert school.review.show(incident, jan_before).result is Result.DONE  # now noor's mentor


async def test_the_coordinator_never_sees_a_staff_members_bullying_incident(school: School) -> None:
    n = await school.incident("tom", "[insult] jullie zijn allemaal sukkels")
    abc, mgr = actor(school, "abc"), actor(school, "mgr")
    escalated = school.review.escalate(n, mgr, "coordinator")  # even when someone asks the coordinator to join
    assert escalated.ok and "Yilmaz" not in escalated.message and "De Boer" in escalated.message
    assert n not in [card.id for card in school.review.list_for(abc)]
    assert school.review.show(n, abc).result is Result.FORBIDDEN
    assert school.review.dismiss(n, abc, "niks aan de hand").result is Result.FORBIDDEN
    with school.core.sessions() as session:
        row = session.get(IncidentRow, n)
        assert row is not None and row.status == "open"
    assert school.review.show(n, mgr).ok  # R12: the manager's case


async def test_one_refusal_for_an_incident_that_does_not_exist_and_one_that_is_not_yours(school: School) -> None:
    n = await school.incident("noor", "[insult] jij sukkel")
    missing = n + 1000
    for who in (actor(school, "sanne"), actor(school, "jan")):
        for ask in (school.review.show, school.review.acknowledge):
            exists, absent = ask(n, who), ask(missing, who)
            assert not exists.ok and not absent.ok and exists.card is None and absent.card is None
            assert exists.message.replace(f"#{n}", "#N") == absent.message.replace(f"#{missing}", "#N")
