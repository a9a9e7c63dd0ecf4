"""Saving a run's results: the model, one row per test prediction, and a metrics file.

This is plumbing, not the lesson: the notebooks compute every score themselves and
hand the results here to be written, each file atomically (a crash never leaves a
half-written file under its final name).

>>> import numpy as np
>>> frame = predictions_frame(np.array([0, 1]), np.eye(3)[[0, 2]] * 0.9, ["あ", "い", "う"],
...                           dataset="sample")
>>> frame[["true_char", "pred_char", "confidence", "dataset"]].values.tolist()
[['あ', 'あ', 0.9, 'sample'], ['い', 'う', 0.9, 'sample']]
"""

from __future__ import annotations

import json
import math
import platform
from pathlib import Path

import numpy as np
import pandas as pd

from k49tut.storage import atomic_write


def predictions_frame(
    y_true: np.ndarray, proba: np.ndarray, chars, *, dataset: str
) -> pd.DataFrame:
    """One row per image: true and predicted label and character, confidence, data name.

    ``proba`` is the model's (N, classes) probability matrix; the prediction is its
    argmax and the confidence its maximum.
    """
    chars = np.asarray(list(chars))
    y_true = np.asarray(y_true).astype(int)
    y_pred = proba.argmax(axis=1)
    return pd.DataFrame(
        {
            "true": y_true,
            "predicted": y_pred,
            "true_char": chars[y_true],
            "pred_char": chars[y_pred],
            "confidence": proba.max(axis=1).astype(float).round(6),
            "dataset": dataset,
        }
    ).rename_axis("test_index")


def library_versions() -> dict[str, str]:
    """Versions of Python and of the libraries a result depends on.

    >>> sorted(library_versions())[:3]
    ['k49tut', 'keras', 'matplotlib']
    """
    import keras
    import matplotlib
    import sklearn
    import tensorflow as tf

    import k49tut

    return {
        "python": platform.python_version(),
        "k49tut": k49tut.__version__,
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
    }


def _json_ready(value):
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if math.isnan(value) else round(value, 6)  # strict JSON has no NaN
    return value


def _write_json(path: Path, record: dict) -> Path:
    text = json.dumps(_json_ready(record), indent=2, ensure_ascii=False) + "\n"
    return atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


#: The files :func:`save` writes (each after its set's prefix, e.g. ``recipe_model.keras``).
FILE_NAMES = {"model": "model.keras", "predictions": "predictions.csv", "metrics": "metrics.json"}


def save(
    output_dir,
    *,
    model=None,
    predictions: pd.DataFrame | None = None,
    metrics: dict | None = None,
    prefix: str = "",
) -> dict[str, Path]:
    """Write ``model.keras``, ``predictions.csv`` and ``metrics.json`` into ``output_dir``.

    Each is written only when given; ``prefix`` names a set (``"recipe_"`` gives
    ``recipe_model.keras``...). ``metrics`` gets the library versions added under
    ``"versions"``. Returns the paths written, by kind.

    >>> import tempfile
    >>> out = save(tempfile.mkdtemp(), metrics={"accuracy": 0.5})
    >>> json.loads(out["metrics"].read_text())["accuracy"]
    0.5
    >>> saved = save(tempfile.mkdtemp(), metrics={"gain": float("nan")})
    >>> json.loads(saved["metrics"].read_text())["gain"] is None
    True
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = {kind: out / f"{prefix}{name}" for kind, name in FILE_NAMES.items()}
    written = {}
    if model is not None:
        written["model"] = atomic_write(path["model"], model.save)
    if predictions is not None:
        written["predictions"] = atomic_write(path["predictions"], predictions.to_csv)
    if metrics is not None:
        record = {**metrics, "versions": library_versions()}
        written["metrics"] = _write_json(path["metrics"], record)
    return written


#: What Part 3 hands to Part 4: the network file and its description (see
#: :func:`save_recipe_network`). A new version is made whenever the description changes
#: meaning; Part 4 reads only the version it knows.
HANDOFF_FILE, HANDOFF_VERSION = "recipe_network.json", 1
HANDOFF_MODEL = f"recipe_{FILE_NAMES['model']}"


def save_recipe_network(output_dir, model, *, dataset: str, split, chosen: str, **settings):
    """Write Part 3's network and its description for Part 4; returns the paths by kind.

    ``recipe_network.json`` records the version of this hand-off, the dataset, the
    validation split (its share, size and fingerprint: Part 4 must examine images the
    network never trained on), the recipe chosen and the training ``settings``.

    >>> import tempfile, keras
    >>> from k49tut import data
    >>> split = data.validation_split(data.load("sample"), seed=49)
    >>> net = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten()])
    >>> out = tempfile.mkdtemp()
    >>> sorted(save_recipe_network(out, net, dataset="sample", split=split, chosen="x"))
    ['hand-off', 'model']
    >>> json.loads((Path(out) / HANDOFF_FILE).read_text())["split"]["validation_images"]
    2400
    """
    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    record = {
        "version": HANDOFF_VERSION,
        "model": HANDOFF_MODEL,
        "dataset": dataset,
        "split": {
            "validation_share": len(split.y_val) / (len(split.y_val) + len(split.y_fit)),
            "validation_images": len(split.y_val),
            "fingerprint": split.fingerprint,
        },
        "chosen": chosen,
        "settings": settings,
        "versions": library_versions(),
    }
    return {
        "model": atomic_write(out / HANDOFF_MODEL, model.save),
        "hand-off": _write_json(out / HANDOFF_FILE, record),
    }


def _handoff(out: Path, dataset: str, split) -> tuple[dict | None, str]:
    """Part 3's description if Part 4 may use its network, else None; and why, in words."""
    path = out / HANDOFF_FILE
    if not path.is_file():
        if (out / HANDOFF_MODEL).is_file():
            return None, (
                f"{out / HANDOFF_MODEL} has no {HANDOFF_FILE} beside it (an older k49tut "
                "saved it), so nothing says which images it trained on; run Part 3 again"
            )
        return None, f"No Part 3 network in {out} (run Part 3 first, into the same folder)"
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        version = record.get("version")
    except (OSError, ValueError, AttributeError) as error:
        return None, f"{path} cannot be read ({error}); run Part 3 again"
    if version != HANDOFF_VERSION:
        return None, (
            f"{path} is hand-off version {version!r}, and this k49tut reads version "
            f"{HANDOFF_VERSION}; run Part 3 again with this k49tut"
        )
    if record.get("dataset") != dataset:
        return None, f"Part 3's network was trained on {record.get('dataset')!r}, not {dataset!r}"
    if record.get("split", {}).get("fingerprint") != split.fingerprint:
        return None, (
            "Part 3's network was trained with another validation split (another seed), so "
            "some of the validation images here were in its training set"
        )
    if not (out / record.get("model", HANDOFF_MODEL)).is_file():
        return None, f"{path} names {record.get('model')}, which is missing; run Part 3 again"
    return record, (
        f"it was trained on {dataset!r} with the same validation split "
        f"(fingerprint {split.fingerprint}), so it never trained on the validation images here"
    )


def _in_float32(layer):
    return layer.__class__.from_config({**layer.get_config(), "dtype": "float32"})


def load_recipe_network(output_dir, dataset: str, split):
    """Part 3's saved network, if Part 4 may examine it: ``(model, what, why)``.

    Part 4 uses the network that :func:`save_recipe_network` wrote into ``output_dir``
    when the hand-off is of the version this k49tut reads, was trained on ``dataset``
    with the same validation ``split`` (same fingerprint), and ends in global average
    pooling and a separate softmax layer (which Grad-CAM and the maps use). A network
    trained in mixed precision comes back as a float32 copy with the same weights, since
    float16 gradients can underflow. Otherwise ``model`` is None. ``what`` names the
    network; ``why`` says why it is used or not.

    >>> import tempfile
    >>> from k49tut import data
    >>> split = data.validation_split(data.load("sample"), seed=49)
    >>> load_recipe_network(tempfile.mkdtemp(), "sample", split)[2].startswith("No Part 3")
    True
    """
    out = Path(output_dir)
    record, why = _handoff(out, dataset, split)
    if record is None:
        return None, None, why
    import keras
    from keras import layers

    model = keras.models.load_model(out / record["model"], compile=False)  # predictions only
    chosen = record["chosen"]
    if not (
        any(isinstance(layer, layers.GlobalAveragePooling2D) for layer in model.layers)
        and isinstance(model.layers[-1], layers.Activation)
    ):
        why = (
            f"Part 3 chose {chosen!r}, a network without global average pooling "
            "or a separate softmax layer"
        )
        return None, None, why
    if any(layer.compute_dtype == "float16" for layer in model.layers):
        copy = keras.models.clone_model(model, clone_function=_in_float32)
        copy.set_weights(model.get_weights())
        model = copy
    what = f"Part 3's chosen recipe ({chosen})"
    if chosen == "+ test-time shifts":
        what += ", without the shifts"
    return model, what, why
