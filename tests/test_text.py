"""helpers.text: vocabulary and batching."""

import numpy as np
import pytest

from helpers.text import END, PAD, START, Vocabulary, chunks, encode_all, pad, random_windows, shift


def test_vocabulary_round_trip_and_reserved_ids():
    vocab = Vocabulary.from_texts(["emma", "ava"], reserved=(PAD, START, END))
    assert vocab.tokens == [PAD, START, END, "a", "e", "m", "v"] and len(vocab) == 7
    assert (vocab.id(PAD), vocab.id(START), vocab.id(END)) == (0, 1, 2)
    ids = vocab.encode("emma", start=True, end=True)
    assert ids.dtype == np.int32 and ids.tolist() == [1, 4, 5, 5, 3, 2]
    assert vocab.decode(ids) == "emma"
    assert vocab.decode([4, 2, 3]) == "e"  # stops at END
    assert vocab.decode([4, 2, 3], stop_at_end=False) == "ea"
    assert Vocabulary.from_texts("hello").tokens == ["e", "h", "l", "o"]


def test_vocabulary_errors_say_what_is_wrong():
    vocab = Vocabulary.from_texts("abc")
    with pytest.raises(ValueError, match=r"not in the vocabulary: \['z'\]"):
        vocab.encode("abz")
    with pytest.raises(KeyError, match="not in this vocabulary"):
        vocab.encode("ab", end=True)
    with pytest.raises(ValueError, match="distinct"):
        Vocabulary("ab", reserved=("a",))


def test_pad_and_encode_all_align_inputs_and_targets():
    vocab = Vocabulary.from_texts(["ab", "b"], reserved=(PAD, START, END))
    assert pad([[3], [3, 4, 4]]).tolist() == [[3, 0, 0], [3, 4, 4]]
    with pytest.raises(ValueError, match="does not fit"):
        pad([[1, 2, 3]], length=2)
    inputs, targets = encode_all(vocab, ["ab", "b"])
    assert inputs.tolist() == [[1, 3, 4], [1, 4, 2]]  # after END come only pads, whose targets are PAD
    assert targets.tolist() == [[3, 4, 2], [4, 2, 0]]


def test_chunks_and_random_windows_predict_the_next_character():
    ids = np.arange(23)
    inputs, targets = chunks(ids, 5)
    assert inputs.shape == targets.shape == (4, 5)
    assert np.array_equal(targets, inputs + 1) and inputs[-1, -1] == 19
    x, y = random_windows(ids, 6, batch_size=8, rng=np.random.default_rng(0))
    assert x.shape == y.shape == (8, 6) and np.array_equal(y, x + 1) and y.max() <= 22
    assert shift(np.array([[1, 2, 3]]))[1].tolist() == [[2, 3]]
    with pytest.raises(ValueError, match="too short"):
        chunks(ids[:3], 5)
