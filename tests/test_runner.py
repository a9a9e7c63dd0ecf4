"""``k49tut run`` and ``k49tut notebooks``: parameters in, executed notebooks, reports and
figures out, nothing else on the terminal; clear failures; the notebooks found and copied."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import k49tut, tiny_notebook
from realfs import mount_tmpfs

from k49tut import paths
from k49tut.cli import main
from k49tut.runner import NOTEBOOKS, notebooks_dir, run_all

CHECKOUT = Path(__file__).resolve().parent.parent


def _run(notebooks, out, *more):
    """``k49tut run`` on the sample, 3 epochs, seed 7, from ``notebooks`` into ``out``."""
    return k49tut(
        "run",
        "--dataset",
        "sample",
        "--epochs",
        "3",
        "--seed",
        "7",
        "--notebooks",
        str(notebooks),
        "--output-dir",
        str(out),
        *more,
        timeout=300,
    )


@pytest.mark.notebooks
def test_run_passes_parameters_and_writes_reports_and_figures(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    plot = (
        "%matplotlib inline\nimport matplotlib.pyplot as plt\nplt.plot([1, 2]); plt.title(dataset)"
    )
    tiny_notebook(
        src / "01_eda.ipynb", "print('part 1 on', dataset, 'with', epochs, 'epochs')", plot
    )
    tiny_notebook(
        src / "02_cnn.ipynb",
        "import pathlib\npathlib.Path(output_dir).mkdir(exist_ok=True)\n"
        "(pathlib.Path(output_dir) / 'metrics.json').write_text(f'{epochs} {seed}')\n"
        "print('epoch line', epochs)",
        "import os\nprint('working in', os.getcwd())",
    )
    out = tmp_path / "out"
    result = _run(src, out)
    assert result.returncode == 0, result.stderr
    assert (out / "metrics.json").read_text() == "3 7"
    for stem in ("01_eda", "02_cnn"):
        assert (out / f"{stem}.ipynb").is_file() and (out / f"{stem}.html").is_file()
    # cell 3 of the executed notebook: papermill inserts the injected parameters as cell 1
    assert [p.name for p in (out / "figures" / "01_eda").iterdir()] == ["01-cell3.png"]
    assert "sample" in (out / "01_eda.html").read_text(encoding="utf-8")
    # the terminal shows the runner's lines and what the notebooks print, nothing else:
    # --epochs is Part 2's only, and the notebooks run in the output directory
    timed = re.sub(r"for \d+ seconds?$", "for TIME", result.stdout, flags=re.M)
    assert timed.splitlines() == [
        f"[1/2] 01_eda.ipynb on 'sample' -> {out / '01_eda.ipynb'}",
        "part 1 on sample with 10 epochs",
        "      wrote 01_eda.html and 1 figure; it ran for TIME",
        f"[2/2] 02_cnn.ipynb on 'sample' -> {out / '02_cnn.ipynb'}",
        "epoch line 3",
        f"working in {out}",
        "      wrote 02_cnn.html and 0 figures; it ran for TIME",
        f"Done: results in {out}",
    ]
    assert "without encryption" not in result.stderr
    assert result.stderr == ""


@pytest.mark.notebooks
def test_only_declared_parameters_are_passed(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    tiny_notebook(
        src / "01_eda.ipynb",
        "print(sorted(k for k in dir() if k.islower() and "
        "not k.startswith('_') and k not in ('exit', 'get_ipython', 'quit', 'open')))",
        parameters='dataset = "k49"',
    )
    result = _run(src, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "['dataset']" in result.stdout.splitlines()
    assert result.stderr == ""  # no "Passed unknown parameter"


@pytest.mark.notebooks
def test_budget_reaches_every_notebook_that_declares_it(tmp_path, monkeypatch, capsys):
    src = tmp_path / "nb"
    for name in ("02_cnn.ipynb", "03_recipe.ipynb"):
        tiny_notebook(
            src / name, "print('budget', budget)", parameters='dataset = "k49"\nbudget = "auto"'
        )
    tiny_notebook(
        src / "04_inside.ipynb", "print('no budget here')", parameters='dataset = "k49"\nseed = 1'
    )
    result = _run(src, tmp_path / "out", "--budget", "full")
    assert result.returncode == 0, result.stderr
    printed = [line for line in result.stdout.splitlines() if not line.startswith((" ", "["))]
    assert printed[:3] == ["budget full", "budget full", "no budget here"]
    monkeypatch.setenv("K49TUT_BUDGET", "quick")  # the default of the command and the API
    assert _run(src, tmp_path / "out1").stdout.count("budget quick") == 2
    assert run_all(tmp_path / "out1", dataset="sample", source=src, parts=[2]) == 0
    assert "budget quick" in capsys.readouterr().out
    refused = _run(src, tmp_path / "out2", "--budget", "huge")
    assert refused.returncode == 2 and "invalid choice: 'huge'" in refused.stderr
    assert not (tmp_path / "out2").exists()


@pytest.mark.notebooks
def test_failing_cell_exits_non_zero_naming_notebook_and_cell(tmp_path):
    src = tmp_path / "nb"
    src.mkdir()
    tiny_notebook(
        src / "01_eda.ipynb",
        "print('before the failure')",
        "raise RuntimeError('the data looks wrong')",
        "print('never reached')",
    )
    tiny_notebook(src / "02_cnn.ipynb", "print('part 2')")
    result = _run(src, tmp_path / "out")
    assert result.returncode == 1
    assert (
        "01_eda.ipynb failed at In [4], the cell starting "
        "\"raise RuntimeError('the data looks wrong')\""
    ) in result.stderr
    assert "RuntimeError: the data looks wrong" in result.stderr
    assert "Traceback" not in result.stderr
    kept = nbformat.read(tmp_path / "out" / "01_eda.ipynb", as_version=4)
    ran = next(c for c in kept.cells if c.source == "print('before the failure')")
    assert ran.outputs[0]["text"] == "before the failure\n"
    assert (tmp_path / "out" / "01_eda.html").is_file()
    assert not (tmp_path / "out" / "02_cnn.ipynb").exists()


def test_run_without_the_notebook_tools_says_what_to_install(monkeypatch, capsys, tmp_path):
    monkeypatch.setitem(sys.modules, "papermill", None)  # as if it were not installed
    assert main(["run", "--dataset", "sample", "--output-dir", str(tmp_path / "out")]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("k49tut run: running the notebooks needs papermill,")
    assert "pip install 'k49tut[notebooks]'" in captured.err
    assert not (tmp_path / "out").exists()


def test_the_run_list_names_every_notebook_of_the_tutorial():
    assert sorted(p.name for p in (CHECKOUT / "notebooks").glob("*.ipynb")) == list(NOTEBOOKS)


def test_runner_finds_the_notebooks_in_a_checkout_or_in_the_installed_package():
    found = notebooks_dir()
    if paths.PACKAGE_DIR == CHECKOUT / "src" / "k49tut":  # editable install
        assert found == CHECKOUT / "notebooks"
    else:  # installed: the wheel's copies
        assert found == paths.PACKAGE_DIR / "notebooks"
    for name in NOTEBOOKS:
        assert (found / name).read_bytes() == (CHECKOUT / "notebooks" / name).read_bytes()


def test_notebooks_command_copies_and_overwrites_only_with_force(capsys, tmp_path):
    dest = tmp_path / "my tutorial"
    assert main(["notebooks", str(dest)]) == 0
    assert f"Copied {len(NOTEBOOKS)} notebooks to {dest}" in capsys.readouterr().out
    assert sorted(p.name for p in dest.iterdir()) == list(NOTEBOOKS)
    for name in NOTEBOOKS:
        assert (dest / name).read_bytes() == (notebooks_dir() / name).read_bytes()

    (dest / NOTEBOOKS[0]).write_text("my edits")
    for name in NOTEBOOKS[1:]:
        (dest / name).unlink()
    assert main(["notebooks", str(dest)]) == 1
    err = capsys.readouterr().err
    assert f"{dest / NOTEBOOKS[0]} already exists; nothing was copied" in err and "--force" in err
    assert sorted(p.name for p in dest.iterdir()) == [NOTEBOOKS[0]]
    assert (dest / NOTEBOOKS[0]).read_text() == "my edits"

    assert main(["notebooks", str(dest), "--force"]) == 0
    for name in NOTEBOOKS:
        assert (dest / name).read_bytes() == (notebooks_dir() / name).read_bytes()


def test_one_notebook_copied_is_one_notebook(capsys, tmp_path, monkeypatch):
    from k49tut import runner

    monkeypatch.setattr(runner, "NOTEBOOKS", NOTEBOOKS[:1])
    assert main(["notebooks", str(tmp_path)]) == 0
    assert f"Copied 1 notebook to {tmp_path}: {NOTEBOOKS[0]}.\n" in capsys.readouterr().out


def _copy_refused(capsys, *args) -> str:
    assert main(["notebooks", *map(str, args)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return err


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_notebooks_into_a_file_is_refused(capsys, tmp_path, where):
    (tmp_path / "f").write_text("mine")
    dest = tmp_path / "f" if where == "file" else tmp_path / "f" / "sub"
    err = _copy_refused(capsys, dest)
    assert err.startswith("k49tut notebooks: error: Cannot use the destination folder: ")
    assert "Choose another folder. Nothing was copied." in err
    assert (tmp_path / "f").read_text() == "mine"


def test_notebooks_into_an_empty_name_is_refused(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    err = _copy_refused(capsys, "")
    assert "The destination folder is an empty name" in err
    assert list(tmp_path.iterdir()) == []


def test_a_device_is_named_as_a_special_file(capsys):
    err = _copy_refused(capsys, "/dev/null")
    assert "/dev/null is a special file (a device, FIFO or socket), not a directory." in err
    err = _copy_refused(capsys, "/dev/null/sub")
    assert "lies under /dev/null, which is a special file (a device, FIFO or socket)" in err


def test_notebooks_into_a_read_only_folder_is_refused(capsys, tmp_path):
    with mount_tmpfs(tmp_path / "ro", read_only=True) as ro:
        err = _copy_refused(capsys, ro / "new")
        assert "read-only filesystem" in err and "Nothing was copied." in err
        assert list(ro.iterdir()) == []


def test_notebooks_onto_a_full_disk_leave_no_partial_notebook(capsys, tmp_path):
    sizes = [(notebooks_dir() / n).stat().st_size for n in NOTEBOOKS]
    room = f"{(sizes[0] + sizes[1] // 2) // 1024 + 8}k"  # the first fits, the second not
    with mount_tmpfs(tmp_path / "small", size=room) as small:
        err = _copy_refused(capsys, small)
        assert "no space left on the device" in err and "No partial notebook was left" in err
        assert [p.name for p in small.iterdir()] == [NOTEBOOKS[0]]  # complete, no temporary
        assert (small / NOTEBOOKS[0]).read_bytes() == (notebooks_dir() / NOTEBOOKS[0]).read_bytes()


def test_a_folder_at_a_notebooks_name_is_never_replaced(capsys, tmp_path):
    (tmp_path / NOTEBOOKS[1]).mkdir()
    err = _copy_refused(capsys, tmp_path, "--force")
    assert f"{tmp_path / NOTEBOOKS[1]} is a directory, where a notebook would go" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [NOTEBOOKS[1]]


def test_a_link_planted_at_a_notebooks_name_is_never_written_through(capsys, tmp_path):
    dest, outside = tmp_path / "dest", tmp_path / "outside.ipynb"
    dest.mkdir()
    (dest / NOTEBOOKS[0]).symlink_to(outside)  # dangling: nothing there yet
    assert "already exists; nothing was copied" in _copy_refused(capsys, dest)
    assert main(["notebooks", str(dest), "--force"]) == 0
    assert not outside.exists() and not (dest / NOTEBOOKS[0]).is_symlink()
    assert (dest / NOTEBOOKS[0]).read_bytes() == (notebooks_dir() / NOTEBOOKS[0]).read_bytes()


def test_ctrl_c_while_copying_notebooks_keeps_whole_copies_only(capsys, tmp_path, monkeypatch):
    import shutil

    copied, real_copy = [], shutil.copyfile

    def copy_then_stop(src, dst):  # Ctrl-C arrives while the second notebook is written
        if copied:
            Path(dst).write_text("{ half a notebook")
            raise KeyboardInterrupt
        copied.append(real_copy(src, dst))

    monkeypatch.setattr(shutil, "copyfile", copy_then_stop)
    assert main(["notebooks", str(tmp_path)]) == 130
    err = capsys.readouterr().err
    assert err.startswith("k49tut notebooks: interrupted; the notebooks copied before were kept")
    assert [p.name for p in tmp_path.iterdir()] == [NOTEBOOKS[0]]
    copied.append("one")  # now Ctrl-C comes with the first notebook: the new folder goes
    assert main(["notebooks", str(tmp_path / "new" / "dest")]) == 130
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_each_notebook_declares_the_runs_defaults(name):
    """A notebook opened in Jupyter runs as `k49tut run` would run it: its parameters cell
    declares the defaults of k49tut.defaults for every option the run passes it."""
    import papermill

    from k49tut import defaults

    declared = {
        k: v["default"] for k, v in papermill.inspect_notebook(notebooks_dir() / name).items()
    }
    expected = {
        "dataset": f'os.environ.get("K49TUT_DATASET", "{defaults.DATASET}")',
        "data_dir": "None",
        "seed": str(defaults.SEED),
        "budget": 'os.environ.get("K49TUT_BUDGET", "auto")',
        "output_dir": f'os.environ.get("K49TUT_OUTPUT_DIR", "{defaults.OUTPUT_DIR}")',
    }
    if name == "02_cnn.ipynb":  # the options only Part 2 takes
        expected |= {"epochs": str(defaults.EPOCHS), "batch_size": str(defaults.BATCH_SIZE)}
    assert {k: declared[k] for k in expected if k in declared} == {
        k: v for k, v in expected.items() if k in declared
    }
    assert {"dataset", "data_dir"} <= set(declared)


def test_every_command_says_what_is_left_after_ctrl_c():
    import argparse

    from k49tut.cli import parser

    commands = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(commands.choices) == {"download", "info", "run", "notebooks"}
    for name, sub in commands.choices.items():
        args = sub.parse_args(["DEST"] if name == "notebooks" else [])
        assert callable(args.func) and args.after_stop.endswith("."), name
