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
import os
import platform
from pathlib import Path

import numpy as np
import pandas as pd


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
    frame = pd.DataFrame(
        {
            "true": y_true,
            "predicted": y_pred,
            "true_char": chars[y_true],
            "pred_char": chars[y_pred],
            "confidence": proba.max(axis=1).astype(float).round(6),
            "dataset": dataset,
        }
    )
    frame.index.name = "test_index"
    return frame


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


def _atomic_write(path: Path, write) -> None:
    """Call ``write(temporary_path)``, then move the result onto ``path``.

    The temporary file has a fresh random name (never a planted one) and the
    permissions the user's umask gives.
    """
    from k49tut.storage import create_unique

    fd, tmp = create_unique(path.parent, f".{path.name}.", path.suffix)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
    written = {}
    if model is not None:
        written["model"] = out / f"{prefix}{FILE_NAMES['model']}"
        _atomic_write(written["model"], model.save)
    if predictions is not None:
        written["predictions"] = out / f"{prefix}{FILE_NAMES['predictions']}"
        _atomic_write(written["predictions"], predictions.to_csv)
    if metrics is not None:
        written["metrics"] = out / f"{prefix}{FILE_NAMES['metrics']}"
        text = (
            json.dumps(
                _json_ready({**metrics, "versions": library_versions()}),
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
        _atomic_write(written["metrics"], lambda p: p.write_text(text, encoding="utf-8"))
    return written


def load_recipe_network(output_dir, dataset: str, seed: int):
    """Part 3's saved network, if Part 4 may examine it: ``(model, what)``.

    ``model`` is the network from ``recipe_model.keras`` when ``recipe_metrics.json`` says
    it was trained on ``dataset`` with ``seed`` (the seed fixes which images were held
    out, and Part 4 needs images the network never trained on) and it ends in global
    average pooling and a separate softmax layer (which Grad-CAM and the maps use). A
    network trained in mixed precision comes back as a float32 copy with the same
    weights, since float16 gradients can underflow. Otherwise ``model`` is None and
    ``what`` says why.

    >>> import tempfile
    >>> load_recipe_network(tempfile.mkdtemp(), "sample", 49)[1].startswith("No part 3 model")
    True
    """
    out = Path(output_dir)
    saved, record = out / f"recipe_{FILE_NAMES['model']}", out / f"recipe_{FILE_NAMES['metrics']}"
    if not saved.is_file():
        return None, f"No part 3 model in {output_dir}"
    recipe = json.loads(record.read_text(encoding="utf-8")) if record.is_file() else {}
    if (recipe.get("dataset"), recipe.get("seed")) != (dataset, seed):
        return None, (
            f"Part 3's model in {output_dir} was trained on {recipe.get('dataset')!r} with "
            f"seed {recipe.get('seed')}, not {dataset!r} with seed {seed}"
        )
    import keras
    from keras import layers

    model = keras.models.load_model(saved, compile=False)  # for predictions only
    if not (
        any(isinstance(layer, layers.GlobalAveragePooling2D) for layer in model.layers)
        and isinstance(model.layers[-1], layers.Activation)
    ):
        return None, (
            f"Part 3 chose {recipe['chosen']!r}, a network without global average pooling "
            "or a separate softmax layer"
        )
    if any(layer.compute_dtype == "float16" for layer in model.layers):
        copy = keras.models.clone_model(
            model,
            clone_function=lambda layer: layer.__class__.from_config(
                {**layer.get_config(), "dtype": "float32"}
            ),
        )
        copy.set_weights(model.get_weights())
        model = copy
    what = f"part 3's chosen recipe ({recipe['chosen']})"
    if recipe["chosen"] == "+ test-time shifts":
        what += ", without the shifts"
    return model, what
