"""A child process for tests/test_data_sharing.py: loads a data set (or builds the digits
classifier) the way a student's kernel would, and prints one JSON line with the outcome.

    python tests/_data_worker.py '{"action": "path", "name": "names"}'
"""

import json
import sys
import time
import warnings

from helpers import data, metrics


def tiny_classifier(epochs: int = 60):
    """A stand-in for the digits classifier that builds in a moment (same layer names)."""
    import keras

    return keras.Sequential([keras.Input((64,)), keras.layers.Dense(8, name="features"),
                             keras.layers.Dense(10, name="logits")])


def main(spec: dict) -> object:
    if "toy" in spec:
        data.DOWNLOADS["toy"] = data.Download(**spec["toy"])
    if spec.get("slow"):  # write 100 bytes at a time, slowly, so the test can kill us mid-way

        def slow(out, source, digest):
            for block in source:
                for i in range(0, len(block), 100):
                    digest.update(block[i : i + 100])
                    out.write(block[i : i + 100])
                    out.flush()
                    print("writing", flush=True)
                    time.sleep(0.05)

        data._write_blocks = slow
    if "start_at" in spec:  # several workers start together
        time.sleep(max(0.0, spec["start_at"] - time.time()))
    action = spec["action"]
    if action == "path":
        return str(data.path(spec["name"]))
    if action == "load":
        return len(data.load(spec["name"], **spec.get("options", {})))
    if action == "classifier":
        metrics._train_classifier = tiny_classifier
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(spec.get("times", 1)):
                metrics._CLASSIFIER = None
                metrics.digits_classifier()
        return [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    raise ValueError(f"unknown action {action!r}")


if __name__ == "__main__":
    try:
        print(json.dumps({"ok": main(json.loads(sys.argv[1]))}), flush=True)
    except Exception as error:  # reported to the test, which asserts on it
        print(json.dumps({"error": type(error).__name__, "message": str(error)}), flush=True)
