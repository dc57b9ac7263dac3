"""The console platform: the line format, bad lines, and the same pipeline as every other platform."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from adapters.console import ConsoleAdapter, ConsoleLineError, parse_line
from bot.app import run
from tests.support.core import make_core
from tests.support.fakes import KeywordClassifier
from tests.support.incidents import list_incidents


def test_parse_line() -> None:
    line = parse_line("@Sanne #Klas-2B: Hoi: allemaal\n")
    assert line is not None and (line.author, line.room, line.text, line.edit_of) == (
        "sanne",
        "klas-2b",
        "Hoi: allemaal",
        None,
    )
    edit = parse_line("@sanne #klas-2b ~3: nieuwe tekst")
    assert edit is not None and edit.edit_of == 3
    assert parse_line("") is None and parse_line("// a comment") is None and parse_line("   \n") is None
    empty = parse_line("@sanne #klas-2b:")
    assert empty is not None and empty.text == ""


@pytest.mark.parametrize("bad", ["hoi allemaal", "@sanne: geen kamer", "#klas-2b @sanne: omgedraaid", "@ #x: y"])
def test_bad_lines_are_refused_with_the_expected_format(bad: str) -> None:
    with pytest.raises(ConsoleLineError, match="expected `@name #room: text`"):
        parse_line(bad)


async def test_a_session_runs_through_the_pipeline_and_bad_lines_lose_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rooms = [
        {"platform": "console", "id": "mededelingen", "name": "mededelingen", "kind": "announcement"},
        {"platform": "console", "id": "klas", "name": "klas", "kind": "class", "abuse_action": "delete"},
    ]
    core = make_core(tmp_path, rooms=rooms, classifier=KeywordClassifier())
    out = io.StringIO()
    lines = [
        "@jan #mededelingen: morgen vrij",
        "this line is wrong",
        "@sanne #mededelingen: echt?",
        "@daan #klas: hoi",
        "@daan #klas ~1: hoi sukkel",
        "@sanne #klas: " + "\u200b" * 5,
    ]
    adapter = ConsoleAdapter(lines=lines, out=out)
    await run(core, [adapter])
    text = out.getvalue()
    assert "line 2: expected `@name #room: text`" in capsys.readouterr().err
    assert text.count("✓ ok") == 3 and "message removed from #mededelingen" in text
    # The console's notice and card come right under their message, before the next message is read.
    assert text.index("→ private notice to @daan") < text.index("⚑ incident #2") < text.index("@sanne #klas (#3)")
    with core.sessions() as session:
        found = [(i.room_name, i.category) for i in list_incidents(session)]
    assert found == [("mededelingen", "announcement-only"), ("klas", "insult")]
    core.close()
