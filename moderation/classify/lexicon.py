"""The text tier's word lists and templates: project-owned data files, plus a school's own additions.

A lexicon file is TOML made of groups; every entry carries its kind, category and a one-line rationale:

    [[group]]
    kind = "insult_noun"        # what the word does in the grammar (see KINDS)
    category = "insult"         # the abuse category it points to, or "none" for grammar words
    lang = "nl"
    entries = [
      { term = "klootzak", why = "common insult for a person", forms = ["klootzakken"] },
    ]

Templates (kind "template") are token patterns: words, `<kind>` slots and `*` (a gap of up to three words),
with a `weight` (0..1) and optionally `criminal = true`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from moderation.classify.normalize import Normalizer
from moderation.model import Category

# Kinds that describe who is addressed or talked about.
TARGET_KINDS = frozenset({"you", "third", "identity", "person", "self", "first"})
# Kinds that say something hurtful.
PREDICATE_KINDS = frozenset(
    {
        "insult_noun",
        "insult_adj",
        "dehum_noun",
        "hate_verb",
        "violence",
        "slur",
        "profanity",
        "sexual",
        "curse",
        "praise",
    }
)
# Grammar words that change how a sentence reads.
FUNCTION_KINDS = frozenset(
    {
        "copula",
        "joke",
        "negation",
        "frame",
        "condemn",
        "lesson",
        "false_friend",
        "modal",
        "disease_context",
        "compound_tail",
        "allow",
        "minor",
        "permit",
        "oppose",
        "weapon",
        "school",
        "gaming",
        "carry",
    }
)
KINDS = TARGET_KINDS | PREDICATE_KINDS | FUNCTION_KINDS | {"template"}
# Kinds that fuzzy, stemmed and compound look-ups may produce (function words must match exactly).
CONTENT_KINDS = frozenset(
    {"identity", "insult_noun", "insult_adj", "dehum_noun", "hate_verb", "violence", "slur", "praise"}
)

_CATEGORIES = {c.value: c for c in Category}


class LexiconError(ValueError):
    """A lexicon file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Entry:
    term: str  # normalised
    kind: str
    category: Category | None
    why: str
    lang: str
    weight: float = 0.0
    criminal: bool = False
    acts_as: str | None = None  # a template that marks a multi-word predicate of this kind
    source: str = ""  # which file it came from
    whole: bool = False  # a template that counts only as (nearly) the whole sentence: "je moeder"


@dataclass(frozen=True, slots=True)
class Template:
    elements: tuple[str, ...]  # "word", "<kind>" or "*"
    entry: Entry


@dataclass(frozen=True, slots=True)
class Lexicon:
    words: dict[str, tuple[Entry, ...]]
    templates: tuple[Template, ...]
    allow: frozenset[str]
    common: frozenset[str] = frozenset()  # valid everyday words (data/words_*.txt): never fuzzy-matched to abuse
    zipf: Mapping[str, float] = field(default_factory=dict)  # each common word's Zipf frequency (likeliest language)


def common_words(languages: Sequence[str] | None) -> frozenset[str]:
    """The generated lists of common valid words for these languages (all bundled ones when None)."""
    return frozenset(word_frequencies(languages))


def word_frequencies(languages: Sequence[str] | None) -> dict[str, float]:
    """The common valid words of these languages (all bundled ones when None), each with its Zipf frequency: the
    highest where a word is in more than one list."""
    data = resources.files("moderation.classify") / "data"
    out: dict[str, float] = {}
    values: dict[str, float] = {}  # one float per distinct figure (there are about sixty), not one per word
    for item in sorted(data.iterdir(), key=lambda item: item.name):
        name = item.name
        if not (name.startswith("words_") and name.endswith(".txt")):
            continue
        if languages is not None and name[len("words_") : -len(".txt")] not in languages:
            continue
        for line in item.read_text(encoding="utf-8").splitlines():
            if line.startswith("#"):
                continue
            word, _, figure = line.partition(" ")
            zipf = values.get(figure)
            if zipf is None:
                zipf = values[figure] = float(figure)
            if zipf > out.get(word, 0.0):
                out[word] = zipf
    return out


def bundled_files() -> list[Path]:
    data = resources.files("moderation.classify") / "data"
    return sorted(Path(str(item)) for item in data.iterdir() if item.name.endswith(".toml"))


def _fail(source: str, where: str, problem: str) -> LexiconError:
    return LexiconError(f"{source}: {where}: {problem}")


def _parse_group(group: object, source: str, index: int, normalizer: Normalizer) -> Iterable[Entry]:
    where = f"group {index + 1}"
    if not isinstance(group, dict):
        raise _fail(source, where, "a group must be a table ([[group]])")
    kind = group.get("kind")
    if kind not in KINDS:
        raise _fail(source, where, f"unknown kind {kind!r}; expected one of {', '.join(sorted(KINDS))}")
    category_name = group.get("category", "none")
    if category_name != "none" and category_name not in _CATEGORIES:
        raise _fail(source, where, f"unknown category {category_name!r}")
    lang = group.get("lang", "any")
    entries = group.get("entries")
    if not isinstance(entries, list) or not entries:
        raise _fail(source, where, "needs a non-empty list `entries`")
    for number, raw in enumerate(entries, start=1):
        if not isinstance(raw, dict):
            raise _fail(
                source, f"{where}, entry {number}", "an entry must be an inline table { term = ..., why = ... }"
            )
        term = raw.get("term")
        label = f"{where}, entry {number} ({term!r})"
        if not isinstance(term, str) or not term.strip():
            raise _fail(source, label, "needs a non-empty string `term`")
        why = raw.get("why", group.get("why"))
        if not isinstance(why, str) or not why.strip():
            raise _fail(source, label, "needs a one-line rationale `why`")
        entry_category = raw.get("category", category_name)
        if entry_category != "none" and entry_category not in _CATEGORIES:
            raise _fail(source, label, f"unknown category {entry_category!r}")
        weight = raw.get("weight", group.get("weight", 0.0))
        if not isinstance(weight, int | float) or isinstance(weight, bool) or not 0.0 <= weight <= 1.0:
            raise _fail(source, label, "`weight` must be a number from 0 to 1")
        criminal = raw.get("criminal", group.get("criminal", False))
        if not isinstance(criminal, bool):
            raise _fail(source, label, "`criminal` must be true or false")
        forms = raw.get("forms", [])
        if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
            raise _fail(source, label, "`forms` must be a list of strings")
        whole = raw.get("whole", group.get("whole", False))
        if not isinstance(whole, bool):
            raise _fail(source, label, "`whole` must be true or false")
        acts_as = raw.get("acts_as", group.get("acts_as"))
        if acts_as is not None and acts_as not in PREDICATE_KINDS | {"negation", "idiom"}:
            raise _fail(source, label, f"`acts_as` must be a predicate kind, negation or idiom, not {acts_as!r}")
        if kind == "template" and entry_category == "none":
            raise _fail(source, label, "a template needs an abuse category")
        if kind == "template" and acts_as is None and weight == 0.0:
            raise _fail(source, label, "a template needs a `weight` (or `acts_as`)")
        if kind != "template" and " " in term.strip():
            raise _fail(source, label, 'only templates may have several words; use kind = "template"')
        for form in [term, *forms]:
            yield Entry(
                term=_normalise_term(form, kind, normalizer, source, label),
                kind=kind,
                category=_CATEGORIES.get(entry_category),
                why=why.strip(),
                lang=lang,
                weight=float(weight),
                criminal=criminal,
                acts_as=acts_as,
                source=source,
                whole=whole,
            )


def _normalise_term(term: str, kind: str, normalizer: Normalizer, source: str, label: str) -> str:
    if kind == "template":
        parts = term.split()
        out = []
        for part in parts:
            if part.startswith("<") and part.endswith(">"):
                names = part[1:-1].split("|")
                unknown = [n for n in names if n not in KINDS and n != "target"]
                if unknown:
                    raise _fail(source, label, f"template slot {part} names unknown kind(s) {', '.join(unknown)}")
                out.append(part)
            elif part == "*":
                out.append(part)
            else:
                words = [normalizer.normalize(w).text.strip() for w in part.split("|")]
                if not all(words):
                    raise _fail(source, label, f"template word {part!r} is empty after normalisation")
                out.append("|".join(words))
        if all(p == "*" for p in out):
            raise _fail(source, label, "a template needs at least one word or slot")
        return " ".join(out)
    text = normalizer.normalize(term).text.strip()
    if not text:
        raise _fail(source, label, "the term is empty after normalisation")
    return text


def load_entries(path: Path, normalizer: Normalizer) -> list[Entry]:
    source = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise LexiconError(f"{source}: file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{source}: not valid TOML: {exc}") from exc
    groups = data.get("group")
    if not isinstance(groups, list):
        raise LexiconError(f"{source}: expected one or more [[group]] tables")
    entries: list[Entry] = []
    for index, group in enumerate(groups):
        entries.extend(_parse_group(group, source, index, normalizer))
    return entries


def build_lexicon(
    extra_files: Sequence[Path] = (),
    allow_terms: Sequence[str] = (),
    normalizer: Normalizer | None = None,
    languages: Sequence[str] | None = None,
) -> Lexicon:
    """The bundled lexicon plus a school's files and allow terms. `languages` keeps only entries for those
    languages (entries marked "any", like most templates and grammar words, always stay)."""
    normalizer = normalizer or Normalizer()
    words: dict[str, list[Entry]] = {}
    templates: list[Template] = []
    allow: set[str] = set()
    for path in [*bundled_files(), *extra_files]:
        for entry in load_entries(path, normalizer):
            if languages is not None and entry.lang != "any" and entry.lang not in languages:
                continue
            if entry.kind == "template":
                templates.append(Template(tuple(entry.term.split()), entry))
            elif entry.kind == "allow":
                allow.add(entry.term)
            else:
                words.setdefault(entry.term, []).append(entry)
    for term in allow_terms:
        folded = normalizer.normalize(term).text.strip()
        if folded:
            allow.add(folded)
    frequencies = word_frequencies(languages)
    return Lexicon(
        {k: tuple(v) for k, v in words.items()}, tuple(templates), frozenset(allow), frozenset(frequencies), frequencies
    )
