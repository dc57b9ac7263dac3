"""Models built on this machine, never downloaded: tiny ones for tests, full-size random ones for benchmarks.

`build_detoxify_cache` writes a checkpoint in detoxify's own format (a pickle holding `config` and `state_dict`)
into TORCH_HOME under the hash-prefixed name torch.hub expects, and the Hugging Face config and tokenizer of the
repo id the checkpoint names into HF_HOME's hub cache, so that the real `Detoxify(model)` loads it offline.
detoxify only knows its own model names, so `register_model` adds ours to its URL table (the file name is what
matters: torch.hub looks for it in TORCH_HOME before it would ever download).

Call these only after the cache environment points at `cache_dir` (see `use_cache`): they import transformers.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import product
from pathlib import Path
from typing import Any

import pytest

from moderation.classify.ml.cache import checkpoints_dir, hf_home, point_libraries_at
from moderation.classify.ml.checkpoints import KNOWN_CHECKPOINTS

DETOXIFY_CLASSES = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "identity_attack",
    "insult",
    "threat",
    "sexual_explicit",
)
TINY_MODEL = "schoolwacht-tiny"
SNAPSHOT = "0123456789abcdef0123456789abcdef01234567"  # any 40 hex digits: the offline cache only needs refs/main
HIDDEN = 64  # small enough to train in seconds, big enough to learn the synthetic kinds reliably
SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


def _config_class(cls: Any) -> Any:
    """transformers' config classes take model-wide keywords (num_labels, ...) that their stubs do not declare."""
    return cls


@dataclass(frozen=True, slots=True)
class DetoxifyCache:
    cache_dir: Path
    model: str  # the name to pass to Detoxify(...) once registered
    checkpoint: Path
    url: str  # what detoxify's MODEL_URLS must hold for `model`


def use_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point this process at cache_dir as a fresh process would be (undone by monkeypatch).

    huggingface_hub reads its environment once at import; a test process imports it once but uses many caches,
    so besides the environment we also move its constants. The product never does this: it refuses instead.
    """
    import sys

    for name in ("TORCH_HOME", "HF_HOME", "HF_HUB_CACHE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        monkeypatch.delenv(name, raising=False)  # registers the old value, so point_libraries_at is undone too
    for name in ("HF_HUB_DISABLE_TELEMETRY", "HF_HUB_DISABLE_PROGRESS_BARS", "TRANSFORMERS_CACHE"):
        monkeypatch.delenv(name, raising=False)
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        monkeypatch.setattr(constants, "HF_HOME", str(hf_home(cache_dir.resolve())))
        monkeypatch.setattr(constants, "HF_HUB_CACHE", str(hf_home(cache_dir.resolve()) / "hub"))
        monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    point_libraries_at(cache_dir, offline=True)


def register_model(cache: DetoxifyCache, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the tiny model one detoxify and schoolwacht know: its URL, and its checkpoint's full sha256."""
    from detoxify import detoxify as detoxify_module

    monkeypatch.setitem(detoxify_module.MODEL_URLS, cache.model, cache.url)
    digest = hashlib.sha256(cache.checkpoint.read_bytes()).hexdigest()
    monkeypatch.setitem(KNOWN_CHECKPOINTS, cache.checkpoint.name, digest)  # type: ignore[index]


# --- a tokenizer made here with `tokenizers` --------------------------------------------------------------------


def _unigram_tokenizer(pieces: Sequence[tuple[str, float]]) -> Any:
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    vocab = [(token, 0.0) for token in SPECIALS] + list(pieces)
    tokenizer = Tokenizer(models.Unigram(vocab, unk_id=SPECIALS.index("<unk>"), byte_fallback=False))
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    return tokenizer


def _word_pieces(words: Sequence[str]) -> list[tuple[str, float]]:
    """Whole words (likely) plus every single character (unlikely), so any text tokenizes."""
    chars = "abcdefghijklmnopqrstuvwxyzàáäëéèïöüç0123456789.,!?'-"
    pieces = {f"▁{word}": -2.0 for word in words}
    for char in chars:
        pieces.setdefault(f"▁{char}", -8.0)
        pieces.setdefault(char, -9.0)
    return list(pieces.items())


def _synthetic_pieces(count: int) -> list[tuple[str, float]]:
    """`count` distinct pieces for a full-size vocabulary (xlm-roberta-base has 250,002 entries)."""
    letters = "etaoinshrdlucmfwypvbgkjqxz"
    pieces: list[tuple[str, float]] = []
    for length in range(1, 5):
        for combo in product(letters, repeat=length):
            text = "".join(combo)
            pieces.append((f"▁{text}", -3.0 - length))
            pieces.append((text, -4.0 - length))
            if len(pieces) >= count:
                return pieces
    return pieces


# --- writing the caches -----------------------------------------------------------------------------------------


def _write_hf_repo(cache_dir: Path, repo_id: str, config: Any, tokenizer: Any, max_length: int) -> None:
    from transformers import XLMRobertaTokenizer

    repo = hf_home(cache_dir) / "hub" / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / SNAPSHOT
    snapshot.mkdir(parents=True, exist_ok=True)
    (repo / "refs").mkdir(exist_ok=True)
    (repo / "refs" / "main").write_text(SNAPSHOT, encoding="utf-8")
    config.save_pretrained(snapshot)
    XLMRobertaTokenizer(tokenizer_object=tokenizer, model_max_length=max_length).save_pretrained(snapshot)


def _write_checkpoint(cache_dir: Path, model: str, repo_id: str, module: Any) -> tuple[Path, str]:
    import torch

    checkpoint = {
        "config": {
            "arch": {
                "args": {
                    "model_type": repo_id,
                    "model_name": "XLMRobertaForSequenceClassification",
                    "tokenizer_name": "XLMRobertaTokenizer",
                    "num_classes": len(DETOXIFY_CLASSES),
                }
            },
            "dataset": {"args": {"classes": list(DETOXIFY_CLASSES)}},
        },
        "state_dict": module.state_dict(),
    }
    folder = checkpoints_dir(cache_dir)
    folder.mkdir(parents=True, exist_ok=True)
    draft = folder / f".{model}.partial"
    torch.save(checkpoint, draft)
    digest = hashlib.sha256(draft.read_bytes()).hexdigest()
    name = f"{model}-{digest[:8]}.ckpt"
    draft.rename(folder / name)
    return folder / name, f"https://models.invalid/schoolwacht/{name}"


def build_detoxify_cache(cache_dir: Path, *, train_steps: int = 400, seed: int = 7, lr: float = 2e-3) -> DetoxifyCache:
    """A tiny xlm-roberta classifier, trained for a few hundred steps on synthetic chat so scores mean something."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(seed)
    tokenizer = _unigram_tokenizer(_word_pieces(sorted(VOCABULARY)))
    config = _config_class(XLMRobertaConfig)(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=HIDDEN,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=2 * HIDDEN,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        max_position_embeddings=130,
        num_labels=len(DETOXIFY_CLASSES),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    module: Any = XLMRobertaForSequenceClassification(config)
    _train(module, tokenizer, train_steps, seed, lr=lr)
    repo_id = "schoolwacht-test/tiny-xlmr"
    _write_hf_repo(cache_dir, repo_id, config, tokenizer, max_length=128)
    checkpoint, url = _write_checkpoint(cache_dir, TINY_MODEL, repo_id, module.eval())
    return DetoxifyCache(cache_dir, TINY_MODEL, checkpoint, url)


def build_full_size_detoxify_cache(cache_dir: Path, model: str = "bench-xlmr-base", seed: int = 7) -> DetoxifyCache:
    """A randomly initialised model of xlm-roberta-base's size (278M parameters): real size, hence real speed."""
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification

    torch.manual_seed(seed)
    tokenizer = _unigram_tokenizer(_synthetic_pieces(250_002 - len(SPECIALS)))
    config = _config_class(XLMRobertaConfig)(
        vocab_size=tokenizer.get_vocab_size(),
        max_position_embeddings=514,
        type_vocab_size=1,
        num_labels=len(DETOXIFY_CLASSES),
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )  # the other defaults are xlm-roberta-base's: 768 hidden, 12 layers, 12 heads, 3072 intermediate
    module: Any = XLMRobertaForSequenceClassification(config)
    module.eval()
    repo_id = f"schoolwacht-bench/{model}"
    _write_hf_repo(cache_dir, repo_id, config, tokenizer, max_length=512)
    checkpoint, url = _write_checkpoint(cache_dir, model, repo_id, module)
    return DetoxifyCache(cache_dir, model, checkpoint, url)


def build_hf_folder(folder: Path, labels: Sequence[str], *, train_steps: int = 200, seed: int = 11) -> Path:
    """A tiny single-label text-classification folder, as a school would download one (config, weights, tokenizer).

    Label 0 is "neutral"; each other label is trained on the matching synthetic kind of message.
    """
    import torch
    from transformers import XLMRobertaConfig, XLMRobertaForSequenceClassification, XLMRobertaTokenizer

    torch.manual_seed(seed)
    tokenizer = _unigram_tokenizer(_word_pieces(sorted(VOCABULARY)))
    config = _config_class(XLMRobertaConfig)(
        vocab_size=tokenizer.get_vocab_size(),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=130,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={label: i for i, label in enumerate(labels)},
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
    )
    module: Any = XLMRobertaForSequenceClassification(config)
    kinds = ("neutral", *KINDS[: len(labels) - 1])
    _train(module, tokenizer, train_steps, seed, single_label_kinds=kinds)
    folder.mkdir(parents=True, exist_ok=True)
    module.eval().save_pretrained(folder)
    XLMRobertaTokenizer(tokenizer_object=tokenizer, model_max_length=128).save_pretrained(folder)
    return folder


# --- synthetic chat ---------------------------------------------------------------------------------------------
# Invented word lists, combined at random. Each kind sets some of detoxify's labels.

_PARTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "insult": (
        ("jij bent", "je bent echt", "wat ben jij", "you are", "you're such"),
        ("een", "zo'n", "a", "the biggest"),
        ("stomme", "vieze", "domme", "lelijke", "stupid", "ugly"),
        ("idioot", "sukkel", "loser", "mongool", "klootzak", "idiot"),
    ),
    "threat": (
        ("ik", "wij", "i", "we"),
        ("maak je af", "sla je in elkaar", "steek je neer", "will kill you", "will hurt you", "kom je halen"),
        ("na school", "morgen", "vanavond", "after school", "tonight", "echt"),
    ),
    "identity": (
        ("alle", "die", "all", "those"),
        ("moslims", "joden", "homos", "buitenlanders", "muslims", "gays"),
        ("zijn", "moeten", "are", "should"),
        ("ratten", "weg", "vies", "rats", "dirty", "uitgeroeid"),
    ),
    "sexual": (
        ("stuur", "laat", "send", "show"),
        ("me", "mij", "me your"),
        ("naaktfoto", "tieten", "nudes", "naakt", "boobs"),
        ("nu", "snel", "now", "please", "vanavond"),
    ),
    "neutral": (
        ("de les", "het huiswerk", "de toets", "the lesson", "the homework", "het schoolreisje", "de gym"),
        ("begint", "is", "duurt", "starts", "was", "wordt"),
        ("om negen uur", "morgen", "leuk", "fun", "at nine", "vandaag", "heel gezellig", "in lokaal twaalf"),
    ),
}
KINDS = ("insult", "threat", "identity", "sexual")
_LABELS_OF_KIND: dict[str, tuple[str, ...]] = {
    "insult": ("toxicity", "insult"),
    "threat": ("toxicity", "threat", "severe_toxicity"),
    "identity": ("toxicity", "identity_attack"),
    "sexual": ("toxicity", "sexual_explicit", "obscene"),
    "neutral": (),
}
VOCABULARY: frozenset[str] = frozenset(
    word for parts in _PARTS.values() for options in parts for option in options for word in option.split()
)


def synthetic_message(kind: str, rng: random.Random) -> str:
    return " ".join(rng.choice(options) for options in _PARTS[kind])


def _examples(rng: random.Random, kinds: Sequence[str]) -> Iterator[tuple[str, str]]:
    while True:
        kind = rng.choice([*kinds, "neutral"])
        yield kind, synthetic_message(kind, rng)


@contextmanager
def one_torch_thread() -> Iterator[None]:
    """Tiny matrices gain nothing from threads, and on a busy machine torch's threads wait for each other (10x)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _train(
    module: Any,
    tokenizer: Any,
    steps: int,
    seed: int,
    *,
    lr: float = 3e-3,
    single_label_kinds: Sequence[str] | None = None,
) -> None:
    import torch

    rng = random.Random(seed)
    tokenizer.enable_padding(pad_id=1, pad_token="<pad>")
    optimiser = torch.optim.AdamW(module.parameters(), lr=lr)
    kinds = single_label_kinds[1:] if single_label_kinds else KINDS
    examples = _examples(rng, kinds)
    module.train()
    with one_torch_thread():
        _steps(module, tokenizer, optimiser, examples, steps, single_label_kinds)
    tokenizer.no_padding()
    module.eval()


def _steps(
    module: Any,
    tokenizer: Any,
    optimiser: Any,
    examples: Iterator[tuple[str, str]],
    steps: int,
    single_label_kinds: Sequence[str] | None,
) -> None:
    import torch

    for _ in range(steps):
        batch = [next(examples) for _ in range(32)]
        encodings = tokenizer.encode_batch([text for _, text in batch])
        ids = torch.tensor([e.ids for e in encodings])
        mask = torch.tensor([e.attention_mask for e in encodings])
        logits = module(input_ids=ids, attention_mask=mask).logits
        if single_label_kinds is not None:
            target = torch.tensor([list(single_label_kinds).index(kind) for kind, _ in batch])
            loss: Any = torch.nn.functional.cross_entropy(logits, target)
        else:
            rows = [[float(label in _LABELS_OF_KIND[kind]) for label in DETOXIFY_CLASSES] for kind, _ in batch]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(rows))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
