"""Small helpers for the notebooks' setup sections.

>>> from k49tut.notebook import banner_html
>>> "Kuzushiji-49" in banner_html("k49")
True
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import warnings

from k49tut.words import plural


def device_summary() -> str:
    """What TensorFlow will train on, in words, e.g. ``"CPU (2 cores)"`` or ``"1 GPU: ..."``."""
    import tensorflow as tf

    found = tf.config.list_physical_devices("GPU")
    if not found:
        cores = os.cpu_count()
        return f"CPU ({plural(cores, 'core')})" if cores else "CPU"
    names = sorted(
        {tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in found}
    )
    return f"{plural(len(found), 'GPU')}: {', '.join(names)}"


def banner_html(dataset: str) -> str:
    """An HTML notice saying which data the notebook runs on (loud when it is synthetic).

    >>> "not Kuzushiji-49" in banner_html("sample")
    True
    """
    if dataset == "k49":
        return (
            "<div style='padding:.6em;border-left:6px solid #2a7;background:#eefaf3'>"
            "<b>Data: Kuzushiji-49</b> (real data, downloaded from CODH).</div>"
        )
    return (
        "<div style='padding:.6em;border-left:6px solid #d33;background:#fdeeee'>"
        f"<b>Data: the synthetic stand-in ({dataset!r}), not Kuzushiji-49.</b> It is drawn "
        "from fonts so that this notebook runs offline. Every number and figure below "
        'describes the stand-in, <b>not</b> K49; run with <code>dataset = "k49"</code> '
        "for the real thing.</div>"
    )


def show_banner(dataset: str) -> None:
    """Display :func:`banner_html` in the notebook (prints plain text elsewhere)."""
    try:
        from IPython.display import HTML, display

        display(HTML(banner_html(dataset)))
    except ImportError:  # pragma: no cover - IPython ships with the notebook tools
        print(banner_html(dataset))


@contextlib.contextmanager
def _stderr_captured():
    """Send file descriptor 2 (where TensorFlow's C++ logs go) to a temporary file."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield sink
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def quiet_tensorflow():
    """Import TensorFlow and look for GPUs without its start-up log lines; returns ``tf``.

    TensorFlow prints INFO lines (the oneDNN notice, CUDA probing) straight to the
    process's stderr as it loads, even with ``TF_CPP_MIN_LOG_LEVEL`` set. They are
    captured here and dropped; if the import fails, they are printed with the error.
    ``TF_CPP_MIN_LOG_LEVEL`` defaults to 3, which also hides the C++ runtime's later
    log lines (such as a harmless note that op determinism rewrote a parallel map);
    Python errors still show, and so do Python warnings, except TensorFlow's own logger,
    which is set to errors only (it warns about "retracing" whenever a notebook has
    predicted with a few models), and Keras's warning that ``fit``'s ``shuffle=True`` is
    ignored for a ``tf.data`` pipeline (it is said on every such call, though a pipeline
    shuffles itself). Set ``TF_CPP_MIN_LOG_LEVEL`` to 0 before calling, and
    ``tf.get_logger().setLevel("INFO")`` after, to see everything.
    Nothing is switched off to silence them: oneDNN, which makes training on a CPU
    about 1.65x faster, stays on.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    with _stderr_captured() as sink:
        try:
            import tensorflow as tf

            tf.config.list_physical_devices("GPU")
            tf.get_logger().setLevel("ERROR")
            warnings.filterwarnings(
                "ignore", "`shuffle=True` was passed, but will be ignored", UserWarning
            )
        except Exception:
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
    return tf
