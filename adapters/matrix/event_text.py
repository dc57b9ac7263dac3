"""The words of a Matrix event as readers see them: the HTML rendering and the plain body, a poll's question and
answers, a room's name or topic, without a reply's quoted fallback."""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser

from adapters.matrix.event_fields import MalformedEvent

# Where MSC1767 extensible events keep text: stable, then unstable names; each holds a string or [{body, mimetype}]
_TEXT_KEYS = ("m.text", "org.matrix.msc1767.text", "body")
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "hr"})


def poll_text(content: Mapping[str, object]) -> str:
    """A poll's question and answers, one per line (stable `m.poll` and unstable MSC3381 alike), plus the fallback
    text clients without polls show, when it says something else. Lenient: whatever is readable is judged."""
    poll = content.get("m.poll") or content.get("org.matrix.msc3381.poll.start")
    parts: list[str] = []
    if isinstance(poll, Mapping):
        parts.append(_extensible_text(poll.get("question")))
        answers = poll.get("answers")
        for answer in answers if isinstance(answers, list) else []:
            parts.append(_extensible_text(answer))
    joined = "\n".join(part for part in parts if part.strip())
    fallback = _extensible_text(content)
    if fallback.strip() and squash(fallback) not in squash(joined):
        joined = f"{joined}\n{fallback}" if joined else fallback
    return joined


def _extensible_text(holder: object) -> str:
    if not isinstance(holder, Mapping):
        return ""
    for key in _TEXT_KEYS:
        value = holder.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if isinstance(value, list):
            bodies = [v.get("body") for v in value if isinstance(v, Mapping)]
            plain = [b for b in bodies if isinstance(b, str) and b.strip()]
            if plain:
                return plain[0]
    return ""


def state_text(content: Mapping[str, object], key: str) -> str:
    value = content.get(key)
    return value if isinstance(value, str) else ""


def text_of(content: Mapping[str, object]) -> str:
    """What readers see: the HTML rendering when there is one, plus the plain body when it says something else.

    Both are judged because clients differ in which one they show (notifications show the plain body). For an
    attachment, the body is its caption or alt text and `filename` its file's name: both are shown, both judged.
    """
    body = content.get("body", "")
    if not isinstance(body, str):
        raise MalformedEvent(f"body is {type(body).__name__}, not a string")
    plain = strip_reply_fallback(body)
    filename = content.get("filename")
    if isinstance(filename, str) and filename.strip() and squash(filename) != squash(plain):
        plain = f"{plain}\n{filename}" if plain.strip() else filename
    formatted = content.get("formatted_body")
    if content.get("format") == "org.matrix.custom.html" and isinstance(formatted, str):
        rendered = html_to_text(formatted)
        if squash(rendered) != squash(plain) and plain.strip():
            return f"{rendered}\n{plain}" if rendered.strip() else plain
        return rendered
    return plain


def strip_reply_fallback(body: str) -> str:
    """Drop the quoted "> <@user> ..." lines a reply starts with (the quoted message is judged on its own)."""
    if not body.startswith(">"):
        return body
    lines = body.split("\n")
    index = 0
    while index < len(lines) and lines[index].startswith(">"):
        index += 1
    if index < len(lines) and lines[index] == "":
        index += 1
    return "\n".join(lines[index:])


def html_to_text(html: str) -> str:
    parser = _TextParser()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def squash(text: str) -> str:
    return " ".join(text.split())


class _TextParser(HTMLParser):
    """HTML to plain text: tags dropped, blocks become lines, the <mx-reply> quote of a reply left out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "mx-reply":
            self._skip_depth += 1
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "mx-reply":
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS and not self._skip_depth:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)

    def unknown_decl(self, data: str) -> None:
        return None
