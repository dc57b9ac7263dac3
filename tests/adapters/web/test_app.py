"""A word on a desk page: escaped, with its backticked commands as code and the page's own markup filled in."""

from __future__ import annotations

from markupsafe import Markup

from adapters.web.app import say


def test_a_word_is_escaped_its_backticks_become_code_and_only_markup_parts_stay_markup() -> None:
    shown = say("Typ `!login` <nu> voor {who} en {what}", who=Markup("<strong>Sanne</strong>"), what="<b>")
    assert shown == "Typ <code>!login</code> &lt;nu&gt; voor <strong>Sanne</strong> en &lt;b&gt;"
