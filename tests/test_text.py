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


# Issue 18: wrong input is refused, not decoded or encoded into something plausible -----------------


def test_decode_refuses_a_batch_and_ids_out_of_range():
    vocab = Vocabulary.from_texts(["ab"], reserved=(START, END))
    batch = np.array([[2, 3, 1], [3, 2, 1]])
    with pytest.raises(ValueError, match=r"one sequence of ids, got shape \(2, 3\).*for row in ids"):
        vocab.decode(batch)  # was 'ab', dropping the second row
    assert [vocab.decode(row) for row in batch] == ["ab", "ba"]
    assert vocab.decode(batch[:1]) == "ab"  # a batch of one is one sequence
    with pytest.raises(ValueError, match=r"ids must be in \[0, 4\)"):
        vocab.decode([2, -1])  # was 'ab': -1 decoded as the last token
    with pytest.raises(ValueError, match=r"ids must be in \[0, 4\)"):
        vocab.decode([4])
    with pytest.raises(ValueError, match="whole numbers"):
        vocab.decode(np.array([2.0, 3.0]))


def test_reserved_must_be_a_tuple_of_tokens():
    with pytest.raises(TypeError, match=r"reserved=\('<s>',\)"):
        Vocabulary("ab", reserved="<s>")  # was three tokens '<', 's', '>'
    assert Vocabulary("ab", reserved=("<s>",)).tokens == ["<s>", "a", "b"]
    with pytest.raises(TypeError, match="non-empty strings"):
        Vocabulary("ab", reserved=(0,))
    with pytest.raises(TypeError, match="text must be a str"):
        Vocabulary("ab").encode(["a", "b"])


def test_encode_all_refuses_one_string():
    vocab = Vocabulary.from_texts(["emma"], reserved=(PAD, START, END))
    with pytest.raises(TypeError, match=r"one string 'emma'.*encode_all\(vocab, \['emma'\]\)"):
        encode_all(vocab, "emma")  # was four one-letter names
    inputs, _ = encode_all(vocab, ["emma"])
    assert inputs.shape == (1, 5)
    with pytest.raises(ValueError, match="texts is empty"):
        encode_all(vocab, [])


@pytest.mark.parametrize("context", [0, -3, 2.5, True])
def test_windows_need_a_positive_context(context):
    ids = np.arange(100) % 7
    with pytest.raises(ValueError, match="context must be a whole number >= 1"):
        chunks(ids, context)  # 0 divided by zero
    with pytest.raises(ValueError, match="context must be a whole number >= 1"):
        random_windows(ids, context, 4, np.random.default_rng(0))  # -3 returned an empty batch


def test_random_windows_name_a_wrong_argument():
    ids = np.arange(100) % 7
    with pytest.raises(ValueError, match="batch_size must be a whole number >= 1"):
        random_windows(ids, 8, 0, np.random.default_rng(0))
    with pytest.raises(TypeError, match="rng must be a NumPy Generator"):
        random_windows(ids, 8, 4, 0)
    with pytest.raises(ValueError, match=r"one long encoded text, shape \(n,\)"):
        chunks(ids.reshape(10, 10), 4)


@pytest.mark.parametrize("args, options, error, message", [
    (([],), {}, ValueError, "sequences is empty"),  # was max() of an empty sequence
    (([[1, 2]],), {"length": -1}, ValueError, r"length must be a whole number >= 0.*got -1"),  # negative dimensions
    (([[1, 2]],), {"length": 2.5}, ValueError, "length must be a whole number"),
    (("emma",), {}, TypeError, "one string 'emma'.*vocab.encode"),  # was an int() error from inside
    ((["em", "ma"],), {}, TypeError, r"sequences\[0\] is the string 'em'"),
    (([[1.5, 2.0]],), {}, ValueError, r"sequences\[0\] must hold whole-number token ids"),  # was truncated to 1
    (([[[1, 2]]],), {}, ValueError, r"sequences\[0\] must be a 1-D sequence"),
    (([[1, 2]],), {"pad_id": 0.5}, TypeError, "pad_id must be a whole number"),  # was padded with 0
    ((5,), {}, TypeError, "sequences must be a list of sequences of ids, got int"),
    (([[1], [1, 2, 3]],), {"length": 2}, ValueError, r"sequences\[1\] of length 3 does not fit in length 2"),
])  # fmt: skip
def test_pad_names_a_wrong_argument(args, options, error, message):
    with pytest.raises(error, match=message):
        pad(*args, **options)


def test_pad_takes_arrays_numpy_integers_and_generators():
    assert pad((np.array([1, 2], np.int64) for _ in range(2)), pad_id=np.int32(9), length=np.int64(3)).tolist() == \
        [[1, 2, 9], [1, 2, 9]]
    assert pad([[], [4]]).tolist() == [[0], [4]]
    assert pad(np.array([[1, 2], [3, 4]]), length=0 + 2).tolist() == [[1, 2], [3, 4]]
