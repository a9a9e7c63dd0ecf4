"""``k49tut run``: parameters in, executed notebooks, reports and figures out; clear failures."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook


def _notebook(path, *cells):
    first = new_code_cell('dataset = "k49"\ndata_dir = None\nepochs = 10\nseed = 0\n'
                          'batch_size = 32\noutput_dir = "nowhere"')
    first.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[first, *[new_code_cell(c) for c in cells]])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, path)


def _run(notebooks, out):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, "-m", "k49tut", "run", "--dataset", "sample",
                           "--epochs", "3", "--seed", "7", "--notebooks", str(notebooks),
                           "--output-dir", str(out)], capture_output=True, text=True,
                          env=env, timeout=300)


def test_run_passes_parameters_and_writes_reports_and_figures(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    plot = ("%matplotlib inline\nimport matplotlib.pyplot as plt\n"
            "plt.plot([1, 2]); plt.title(dataset)")
    _notebook(src / "01_eda.ipynb", "print('part 1 on', dataset)", plot)
    _notebook(src / "02_cnn.ipynb",
              "import pathlib\npathlib.Path(output_dir).mkdir(exist_ok=True)\n"
              "(pathlib.Path(output_dir) / 'metrics.json').write_text(f'{epochs} {seed}')\n"
              "print('epoch line', epochs)")
    result = _run(src, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    out = tmp_path / "out"
    assert "part 1 on sample" in result.stdout and "epoch line 3" in result.stdout
    assert (out / "metrics.json").read_text() == "3 7"
    for stem in ("01_eda", "02_cnn"):
        assert (out / f"{stem}.ipynb").is_file() and (out / f"{stem}.html").is_file()
    # cell 3 of the executed notebook: papermill inserts the injected parameters as cell 1
    assert [p.name for p in (out / "figures" / "01_eda").iterdir()] == ["01-cell3.png"]
    assert "sample" in (out / "01_eda.html").read_text(encoding="utf-8")


def test_failing_cell_exits_non_zero_naming_notebook_and_cell(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    _notebook(src / "01_eda.ipynb", "print('before the failure')",
              "raise RuntimeError('the data looks wrong')", "print('never reached')")
    _notebook(src / "02_cnn.ipynb", "print('part 2')")
    result = _run(src, tmp_path / "out")
    assert result.returncode == 1
    assert ("01_eda.ipynb failed at In [4], the cell starting "
            "\"raise RuntimeError('the data looks wrong')\"") in result.stderr
    assert "RuntimeError: the data looks wrong" in result.stderr
    assert "Traceback" not in result.stderr
    kept = nbformat.read(tmp_path / "out" / "01_eda.ipynb", as_version=4)
    ran = next(c for c in kept.cells if c.source == "print('before the failure')")
    assert ran.outputs[0]["text"] == "before the failure\n"
    assert (tmp_path / "out" / "01_eda.html").is_file()
    assert not (tmp_path / "out" / "02_cnn.ipynb").exists()
