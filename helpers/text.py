"""Characters to integers and back, and batches of encoded text for language models.

A ``Vocabulary`` maps each character to an id. Reserved tokens come first, so their ids are
fixed: padding (``PAD``, id 0 when used), start of a sequence (``START``) and end (``END``).
Notebook 00 uses one boundary token for both start and end of a name; later notebooks use the
ones they need.
"""

import numbers
from collections.abc import Iterable, Sequence

import numpy as np

PAD, START, END = "<pad>", "<s>", "</s>"


class Vocabulary:
    """An ordered set of tokens: reserved tokens first, then characters (sorted).

    >>> vocab = Vocabulary.from_texts(["ab", "ba"], reserved=(START, END))
    >>> vocab.tokens
    ['<s>', '</s>', 'a', 'b']
    >>> vocab.encode("ab", start=True, end=True)
    array([0, 2, 3, 1], dtype=int32)
    """

    def __init__(self, chars: Iterable[str], reserved: Sequence[str] = ()):
        if isinstance(reserved, str):
            raise TypeError(f"reserved must be a tuple of tokens, got the string {reserved!r} (which would make "
                            f"{len(reserved)} tokens of its letters); write reserved=({reserved!r},)")
        reserved = tuple(reserved)
        if any(not isinstance(token, str) or not token for token in reserved):
            raise TypeError(f"reserved tokens must be non-empty strings, got {reserved!r}")
        chars = sorted(set(chars))
        if any(not isinstance(c, str) or len(c) != 1 for c in chars):
            raise ValueError("characters must be strings of length 1")
        if len(set(reserved)) != len(reserved) or set(reserved) & set(chars):
            raise ValueError("reserved tokens must be distinct from each other and from characters")
        self.reserved = tuple(reserved)
        self.tokens = list(self.reserved) + chars
        self.index = {token: i for i, token in enumerate(self.tokens)}

    @classmethod
    def from_texts(cls, texts: str | Iterable[str], reserved: Sequence[str] = ()):
        """The vocabulary of every character in ``texts`` (one string, or several)."""
        chars = set(texts) if isinstance(texts, str) else set().union(*map(set, texts))
        return cls(chars, reserved)

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        shown = "".join(t for t in self.tokens if t not in self.reserved)
        return f"Vocabulary({len(self)} tokens: {list(self.reserved)} + {shown!r})"

    def id(self, token: str) -> int:
        """The id of a token, e.g. ``vocab.id(END)``; a clear error if it is not in the vocabulary."""
        if token not in self.index:
            raise KeyError(f"{token!r} is not in this vocabulary ({self!r})")
        return self.index[token]

    def encode(self, text: str, start: bool = False, end: bool = False) -> np.ndarray:
        """The ids of ``text``, int32, optionally framed by the START and END tokens."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}; to encode several, use encode_all")
        unknown = sorted(set(text) - self.index.keys())
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {unknown!r}")
        ids = [self.index[c] for c in text]
        if start:
            ids.insert(0, self.id(START))
        if end:
            ids.append(self.id(END))
        return np.array(ids, dtype=np.int32)

    def decode(self, ids: Iterable[int], stop_at_end: bool = True) -> str:
        """The text of ``ids``; reserved tokens are dropped, and with ``stop_at_end`` (if the
        vocabulary has an END token) everything from the first END on.

        ``ids`` is one sequence; for a batch (n, length) decode each row:
        ``[vocab.decode(row) for row in batch]``."""
        ids = np.asarray(ids)
        if ids.ndim > 1 and any(n != 1 for n in ids.shape[:-1]):
            raise ValueError(f"decode takes one sequence of ids, got shape {ids.shape}; for a batch write "
                             "[vocab.decode(row) for row in ids]")
        if ids.size and not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"ids must be whole numbers (token ids), got dtype {ids.dtype}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self)):
            raise ValueError(f"ids must be in [0, {len(self)}) for this vocabulary, got min {ids.min()} and max "
                             f"{ids.max()}")
        out = []
        for i in ids.ravel().tolist():
            token = self.tokens[i]
            if stop_at_end and token == END:
                break
            if token not in self.reserved:
                out.append(token)
        return "".join(out)


def pad(sequences: Sequence[Sequence[int]], pad_id: int = 0, length: int | None = None) -> np.ndarray:
    """Sequences of ids as one int32 array (n, length), padded at the end with ``pad_id``;
    ``length`` defaults to the longest sequence's.

    Refused with a clear TypeError or ValueError: no sequences, a string (encode texts to ids
    first), a sequence that is not 1-D whole-number ids, a ``length`` that is not a whole number
    >= 0, a ``pad_id`` that is not a whole number, and a sequence longer than ``length``."""
    if isinstance(sequences, str | bytes):
        raise TypeError(f"sequences must be a list of sequences of ids, got one string {sequences[:30]!r}; encode "
                        "texts first (vocab.encode) and pass a list of them")
    try:
        sequences = list(sequences)
    except TypeError:
        raise TypeError(f"sequences must be a list of sequences of ids, got {type(sequences).__name__}") from None
    if not sequences:
        raise ValueError("sequences is empty: give at least one sequence of ids to pad")
    rows = []
    for i, seq in enumerate(sequences):
        if isinstance(seq, str | bytes):
            raise TypeError(f"sequences[{i}] is the string {seq[:30]!r}, not ids: encode texts first (vocab.encode)")
        row = np.asarray(seq)
        if row.ndim != 1:
            raise ValueError(f"sequences[{i}] must be a 1-D sequence of ids, got shape {row.shape}")
        if row.size and not np.issubdtype(row.dtype, np.integer):
            raise ValueError(f"sequences[{i}] must hold whole-number token ids, got dtype {row.dtype}")
        rows.append(row)
    if isinstance(pad_id, bool) or not isinstance(pad_id, numbers.Integral):
        raise TypeError(f"pad_id must be a whole number (a token id), got {pad_id!r}")
    if length is None:
        length = max(map(len, rows))
    elif isinstance(length, bool) or not isinstance(length, numbers.Integral) or length < 0:
        raise ValueError(f"length must be a whole number >= 0 (or None for the longest sequence), got {length!r}")
    out = np.full((len(rows), int(length)), pad_id, dtype=np.int32)
    for i, (row, seq) in enumerate(zip(out, rows)):
        if len(seq) > length:
            raise ValueError(f"sequences[{i}] of length {len(seq)} does not fit in length {length}")
        row[: len(seq)] = seq
    return out


def shift(batch: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and next-token targets from sequences (n, t+1): (n, t) each, targets one ahead."""
    batch = np.asarray(batch)
    return batch[..., :-1], batch[..., 1:]


def encode_all(vocab: Vocabulary, texts: Iterable[str], pad_id: int | None = None) -> tuple:
    """Short texts (such as names) as (inputs, targets) for a language model, (n, longest + 1).

    Each text is framed by START and END and padded with ``pad_id`` (default: the PAD token);
    inputs start with START, targets end with END and are the inputs moved one step ahead.
    """
    if isinstance(texts, str):
        raise TypeError(f"texts must be a list of strings, got one string {texts[:30]!r} (each letter would be a "
                        f"text); write encode_all(vocab, [{texts[:30]!r}])")
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab must be a text.Vocabulary, got {type(vocab).__name__}")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty: give at least one text")
    pad_id = vocab.id(PAD) if pad_id is None else pad_id
    framed = [vocab.encode(t, start=True, end=True) for t in texts]
    return shift(pad(framed, pad_id))


def chunks(ids: np.ndarray, context: int) -> tuple[np.ndarray, np.ndarray]:
    """A long encoded text cut into non-overlapping windows: (inputs, targets), (n, context)
    each, for evaluation over every character once (a remainder shorter than a window is
    dropped)."""
    ids = _ids_1d(ids)
    context = _positive("context", context)
    n = (len(ids) - 1) // context
    if n < 1:
        raise ValueError(f"a text of {len(ids)} ids is too short for windows of {context}")
    inputs = ids[: n * context].reshape(n, context)
    targets = ids[1 : n * context + 1].reshape(n, context)
    return inputs, targets


def random_windows(ids: np.ndarray, context: int, batch_size: int, rng: np.random.Generator):
    """A batch of random windows of a long encoded text, for training: (inputs, targets), each
    (batch_size, context), targets one character ahead."""
    ids = _ids_1d(ids)
    context = _positive("context", context)
    batch_size = _positive("batch_size", batch_size)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a NumPy Generator such as np.random.default_rng(0), got {rng!r}")
    if len(ids) <= context:
        raise ValueError(f"a text of {len(ids)} ids is too short for windows of {context}")
    starts = rng.integers(0, len(ids) - context, size=batch_size)
    windows = ids[starts[:, None] + np.arange(context + 1)]  # (batch, context + 1)
    return shift(windows)


def _positive(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be a whole number >= 1, got {value!r}")
    return int(value)


def _ids_1d(ids) -> np.ndarray:
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids must be one long encoded text, shape (n,), got shape {ids.shape}")
    return ids
