"""``k49tut run`` when things cannot work or go wrong: impossible parameters and paths are
refused up front, relative paths mean the user's directory, a dying kernel or SIGTERM is
reported with the cell, and a re-run never mixes its results with an earlier run's."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

import nbformat
import pytest
from conftest import K49TUT, k49tut, tiny_notebook
from realfs import mount_tmpfs

from k49tut import cli, paths, preflight, runner
from k49tut.errors import ParameterError


def _args(notebooks, out, *extra) -> list[str]:
    """``k49tut run`` on the sample from ``notebooks`` into ``out``: its arguments."""
    return [
        "run",
        "--dataset",
        "sample",
        "--notebooks",
        str(notebooks),
        "--output-dir",
        str(out),
        *extra,
    ]


def _run(notebooks, out, *extra, cwd=None, env_extra=None):
    return k49tut(*_args(notebooks, out, *extra), cwd=cwd, env_extra=env_extra, timeout=300)


def _refused(capsys, notebooks, out, *extra) -> str:
    """Run in this process what must be refused before a kernel starts; its stderr."""
    code = cli.main(_args(notebooks, out, *extra))
    captured = capsys.readouterr()
    assert code == 1, captured
    assert "Traceback" not in captured.err
    return captured.err


@pytest.fixture
def notebooks(tmp_path):
    src = tmp_path / "nb"
    tiny_notebook(src / "01_eda.ipynb", "print('part 1')")
    return src


# ------------------------------------------------------------------ refused up front


@pytest.mark.parametrize(
    "extra, says",
    [
        (["--epochs", "0"], "--epochs must be a whole number of at least 1, not 0."),
        (["--epochs", "-3"], "--epochs must be a whole number of at least 1, not -3."),
        (["--batch-size", "0"], "--batch-size must be a whole number of at least 1, not 0."),
        (["--seed", "-1"], "--seed must be a whole number from 0 to 4,294,967,295, not -1."),
        (["--timeout", "0"], "--timeout must be a whole number of at least 1, not 0."),
    ],
)
def test_impossible_parameters_are_refused_before_anything_runs(
    notebooks, tmp_path, extra, says, capsys
):
    assert _refused(capsys, notebooks, tmp_path / "out", *extra) == f"k49tut run: error: {says}\n"
    assert not (tmp_path / "out").exists()


def test_an_unknown_budget_from_the_environment_says_where_it_came_from(
    notebooks, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("K49TUT_BUDGET", "fast")
    assert _refused(capsys, notebooks, tmp_path / "out") == (
        "k49tut run: error: Unknown budget 'fast' (from K49TUT_BUDGET); choose one of "
        "auto, quick, full.\n"
    )
    assert not (tmp_path / "out").exists()


def test_impossible_parameters_exit_1_from_the_command(notebooks, tmp_path):
    result = _run(notebooks, tmp_path / "out", "--epochs", "0")
    assert result.returncode == 1
    assert (
        result.stderr == "k49tut run: error: --epochs must be a whole number of at least "
        "1, not 0.\n"
    )


@pytest.mark.parametrize(
    "damage, says",
    [
        (lambda p: p.write_text(""), "it is not a valid notebook (NotJSONError: Notebook does"),
        (lambda p: p.write_text(p.read_text()[:200]), "it is not a valid notebook (NotJSONError"),
        (lambda p: p.write_text('{"cells": 3}'), "it is not a valid notebook ("),
        (lambda p: p.write_bytes(b"\xff\xfe{}"), "it is not a valid notebook ("),
        (
            lambda p: tiny_notebook(p, "print(1)", parameters=None),
            "it has no cell tagged 'parameters', so the run could not pass it --dataset",
        ),
        (
            lambda p: tiny_notebook(p, "print(1)", parameters="seed = 1"),
            "its 'parameters' cell does not declare dataset, so the run could not set it",
        ),
    ],
    ids=["empty", "truncated", "not a notebook", "not UTF-8", "no parameters", "no dataset"],
)
def test_a_damaged_notebook_is_refused_before_anything_is_created_or_moved(
    notebooks, tmp_path, damage, says, capsys
):
    tiny_notebook(notebooks / "02_cnn.ipynb", "print(2)")
    out = tmp_path / "out"
    out.mkdir()
    (out / "metrics.json").write_text("an earlier run's")  # Part 2's result: stays put
    damage(notebooks / "02_cnn.ipynb")
    err = _refused(capsys, notebooks, out)
    assert err.startswith(f"k49tut run: error: Cannot run {notebooks / '02_cnn.ipynb'}: {says}")
    assert err.endswith(
        "Nothing was changed. Get an intact copy: `k49tut notebooks DEST` copies the tutorial's "
        "own; then pass --notebooks DEST.\n"
    )
    assert sorted(p.name for p in out.iterdir()) == ["metrics.json"]


def test_a_damaged_notebook_of_the_tutorials_own_is_not_mended_by_copying_it(
    tmp_path, monkeypatch
):
    own = tmp_path / "checkout" / "notebooks"
    tiny_notebook(own / "01_eda.ipynb", "print(1)", parameters=None)
    monkeypatch.setattr(paths, "notebooks_dir", lambda: own)
    with pytest.raises(ParameterError) as info:
        preflight.check_notebooks(own, ["01_eda.ipynb"])
    assert str(info.value).endswith(
        f"Get an intact copy: {paths.restore_hint('notebooks/01_eda.ipynb')}."
    )
    assert "k49tut notebooks DEST" not in str(info.value)  # it would copy the broken one


def test_a_file_of_the_tutorials_own_is_restored_by_git_in_a_checkout_else_reinstalled(
    monkeypatch, tmp_path
):
    checkout = tmp_path / "my k49tut"
    monkeypatch.setattr(paths, "checkout_root", lambda: checkout)
    (checkout / ".git").mkdir(parents=True)
    assert paths.restore_hint("notebooks/01_eda.ipynb") == (
        f"`git -C '{checkout}' checkout -- notebooks/01_eda.ipynb` (edits to it are lost)"
    )
    (checkout / ".git").rmdir()  # an unpacked archive: no git to ask, nothing to reinstall
    assert paths.restore_hint("notebooks/01_eda.ipynb") == (
        "take notebooks/01_eda.ipynb from a fresh copy of k49tut's source (unpack it again)"
    )
    monkeypatch.setattr(paths, "checkout_root", lambda: None)
    assert paths.restore_hint("notebooks/01_eda.ipynb") == (
        "reinstall k49tut (`pip install --force-reinstall --no-deps` and what you installed)"
    )


@pytest.mark.parametrize("name", ["previous-runs", "figures"])
@pytest.mark.parametrize("planted", ["link", "file"])
def test_a_link_or_file_planted_where_results_go_is_refused(
    notebooks, tmp_path, name, planted, capsys
):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "01_eda.ipynb").write_text("an earlier run's")
    if planted == "link":
        (out / name).symlink_to(elsewhere)
    else:
        (out / name).write_text("mine")
    err = _refused(capsys, notebooks, out)
    kind = "a symbolic link" if planted == "link" else "not a directory"
    assert err.startswith(f"k49tut run: error: {out / name} is {kind}, where k49tut keeps")
    assert "Nothing was changed." in err
    assert list(elsewhere.iterdir()) == []
    assert (out / "01_eda.ipynb").read_text() == "an earlier run's"


@pytest.mark.notebooks
def test_a_killed_runs_kernel_folder_is_removed_by_the_next_run(notebooks, tmp_path):
    import tempfile

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a process id no longer in use, as a SIGKILLed runner leaves
    stale = tempfile.mkdtemp(prefix=f"{runner.KERNEL_PREFIX}{gone.pid}-")
    alive = tempfile.mkdtemp(prefix=f"{runner.KERNEL_PREFIX}{os.getppid()}-")
    try:
        assert runner.run_all(tmp_path / "out", dataset="sample", source=notebooks) == 0
        assert not os.path.exists(stale)
        assert os.path.isdir(alive)  # a running process's folder is left alone
        filters = logging.getLogger("asyncio").filters  # and the run quiets orphaned errors
        assert runner._no_orphaned_kernel_error in filters
    finally:
        os.rmdir(alive)


ORPHAN = """
import asyncio, gc, logging, sys
from nbclient.exceptions import DeadKernelError
from k49tut import runner
if sys.argv[1] == "filtered":
    logging.getLogger("asyncio").addFilter(runner._no_orphaned_kernel_error)
async def died():
    raise DeadKernelError("Kernel died")
async def main():
    asyncio.ensure_future(died())  # never awaited, as nbclient's after Ctrl-C
    await asyncio.sleep(0.05)
asyncio.run(main())
gc.collect()
"""


@pytest.mark.parametrize("how", ["filtered", "bare"])
def test_no_asyncio_traceback_for_a_kernel_that_died_after_ctrl_c(how):
    done = subprocess.run([sys.executable, "-c", ORPHAN, how], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    if how == "filtered":  # what k49tut run installs
        assert done.stderr == ""
    else:  # the check can fail: without the filter asyncio prints the traceback
        assert "Task exception was never retrieved" in done.stderr


@pytest.mark.notebooks
def test_a_full_disk_leaves_no_cut_off_notebook(tmp_path):
    src = tmp_path / "nb"
    tiny_notebook(src / "01_eda.ipynb", "print('x' * 300_000)", "print('after')")
    with mount_tmpfs(tmp_path / "small", size="200k") as small:
        result = _run(src, small / "out")
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "no space left on the device (the disk is full)" in result.stderr
        assert "could not be saved whole and was removed" in result.stderr
        for path in (small / "out").rglob("*.ipynb"):  # whatever is kept opens as a notebook
            nbformat.read(path, as_version=4)
        assert not (small / "out" / "01_eda.ipynb").exists()


def test_run_all_refuses_an_unknown_dataset(notebooks, tmp_path):
    with pytest.raises(ParameterError, match="Unknown dataset 'mnist'"):
        runner.run_all(tmp_path / "out", dataset="mnist", source=notebooks)
    assert not (tmp_path / "out").exists()


def test_output_dir_must_not_be_the_notebooks_folder(notebooks, capsys):
    before = (notebooks / "01_eda.ipynb").read_bytes()
    assert "is the notebooks' folder" in _refused(capsys, notebooks, notebooks)
    assert (notebooks / "01_eda.ipynb").read_bytes() == before


@pytest.mark.parametrize(
    "where, says",
    [
        (lambda f: f, "is a file, not a directory"),
        (lambda f: f / "out", "lies under {f}, which is a file, not a directory"),
    ],
)
def test_output_dir_that_is_or_lies_under_a_file(notebooks, tmp_path, where, says, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    assert says.format(f=a_file) in _refused(capsys, notebooks, where(a_file))
    assert a_file.read_text() == "mine"


def test_output_dir_on_a_read_only_filesystem(notebooks, tmp_path, capsys):
    with mount_tmpfs(tmp_path / "ro", read_only=True) as ro:
        for out in (ro, ro / "new"):
            assert "it is on a read-only filesystem" in _refused(capsys, notebooks, out)


def test_data_dir_that_is_a_file_is_refused(notebooks, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    err = _refused(capsys, notebooks, tmp_path / "out", "--data-dir", str(a_file))
    assert f"{a_file} is a file, not a directory" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("make", ["missing", "file", "empty"])
def test_missing_notebooks_folder(tmp_path, make, capsys):
    src = tmp_path / "nb"
    if make == "file":
        src.write_text("not a folder")
    elif make == "empty":
        src.mkdir()
    err = _refused(capsys, src, tmp_path / "out")
    says = {
        "missing": "does not exist",
        "file": "is not a directory",
        "empty": "No tutorial notebooks",
    }[make]
    assert says in err and "--notebooks DIR" in err
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------ relative paths


@pytest.mark.notebooks
@pytest.mark.parametrize("how", ["--data-dir", "K49TUT_DATA_DIR"])
def test_relative_data_dir_means_the_directory_the_command_ran_in(tmp_path, how):
    src = tmp_path / "nb"
    tiny_notebook(
        src / "01_eda.ipynb",
        "import os\nfrom k49tut import paths\n"
        "print('data at', os.path.realpath(paths.data_dir(data_dir)))",
    )
    work = tmp_path / "work"
    work.mkdir()
    extra = ["--data-dir", "rel/k49"] if how == "--data-dir" else []
    env = {"K49TUT_DATA_DIR": "rel/k49"} if how == "K49TUT_DATA_DIR" else {}
    result = _run(src, tmp_path / "out", *extra, cwd=work, env_extra=env)
    assert result.returncode == 0, result.stderr
    assert f"data at {os.path.realpath(work / 'rel' / 'k49')}\n" in result.stdout


# ------------------------------------------------------------------ a kernel that dies


@pytest.mark.parametrize(
    "death", ["import os\nos._exit(3)", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"]
)
@pytest.mark.notebooks
def test_kernel_that_dies_names_notebook_and_cell_and_keeps_the_partial_run(tmp_path, death):
    src = tmp_path / "nb"
    tiny_notebook(src / "01_eda.ipynb", "print('before the end')", death, "print('never')")
    tiny_notebook(src / "02_cnn.ipynb", "print('part 2')")
    out = tmp_path / "out"
    result = _run(src, out)
    assert result.returncode == 1
    first = death.splitlines()[0]
    assert (
        f"k49tut run: the kernel running 01_eda.ipynb died during In [4], the cell "
        f"starting {first!r}"
    ) in result.stderr
    assert "(often for lack of memory: close other programs)" in result.stderr
    assert "--batch-size" not in result.stderr  # it reaches Part 2 only
    assert "Traceback" not in result.stderr
    kept = nbformat.read(out / "01_eda.ipynb", as_version=4)
    ran = next(c for c in kept.cells if c.source == "print('before the end')")
    assert ran.outputs[0]["text"] == "before the end\n"
    assert (out / "01_eda.html").is_file()
    assert not (out / "02_cnn.ipynb").exists()


def test_a_kernel_dying_in_part_2_suggests_a_smaller_batch_size(tmp_path):
    from nbclient.exceptions import DeadKernelError

    said = runner._why_stopped(DeadKernelError("gone"), "02_cnn.ipynb", tmp_path / "x.ipynb", 60)
    assert (
        "(often for lack of memory: try a smaller --batch-size, or close other programs)" in said
    )


@pytest.mark.notebooks
def test_sigterm_stops_the_run_like_ctrl_c(tmp_path):
    src = tmp_path / "nb"
    pid_file = tmp_path / "kernel.pid"
    tiny_notebook(
        src / "01_eda.ipynb",
        f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))",
        "import time\ntime.sleep(60)",
    )
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [*K49TUT, *_args(src, out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 60
    while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # into the sleeping cell
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert (
        "k49tut run: stopped 01_eda.ipynb during In [4], the cell starting 'import time'; "
        f"the partly executed notebook is kept: {out / '01_eda.ipynb'}.\n"
        "k49tut run: terminated.\n"
    ) in err
    assert "Traceback" not in err
    assert (out / "01_eda.ipynb").is_file() and (out / "01_eda.html").is_file()
    kernel = int(pid_file.read_text())
    for _ in range(50):
        if not os.path.exists(f"/proc/{kernel}"):
            break
        time.sleep(0.1)
    assert not os.path.exists(f"/proc/{kernel}"), "the kernel outlived the run"


# ------------------------------------------------------------------ a re-run into used output

#: A 1x1 PNG: a figure in the executed notebook without starting matplotlib.
_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAA"
    "AABJRU5ErkJggg=="
)


@pytest.mark.notebooks
def test_rerun_moves_aside_only_what_the_notebooks_it_runs_wrote(tmp_path):
    out = tmp_path / "out"
    full = tmp_path / "full"
    figure = (
        "import base64\nfrom IPython.display import Image, display\n"
        f"display(Image(data=base64.b64decode({_PNG!r})))"
    )
    tiny_notebook(
        full / "01_eda.ipynb",
        "print('first run')",
        figure,
        "import pathlib\n(pathlib.Path(output_dir) / 'model.keras').write_text('not Part 1s')",
    )
    tiny_notebook(
        full / "02_cnn.ipynb",
        "import pathlib\n(pathlib.Path(output_dir) / 'metrics.json').write_text('old')",
    )
    assert _run(full, out).returncode == 0
    for mine in ("my-notes.txt", "my_metrics.json", "best_model.keras"):  # the user's own
        (out / mine).write_text("not the run's")
    again = tmp_path / "again"
    tiny_notebook(again / "01_eda.ipynb", "print('second run')", "raise ValueError('stop')")
    result = _run(again, out)
    assert result.returncode == 1
    previous = list((out / "previous-runs").iterdir())
    assert len(previous) == 1
    assert f"Moved the earlier run's results to {previous[0]}" in result.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        "01_eda.html",
        "01_eda.ipynb",
        "02_cnn.html",
        "02_cnn.ipynb",
        "best_model.keras",
        "figures",
        "metrics.json",
        "model.keras",  # Part 2's name, written by a Part 1 here: a rerun of Part 1 leaves it
        "my-notes.txt",
        "my_metrics.json",
        "previous-runs",
    ]
    assert "second run" in (out / "01_eda.ipynb").read_text()
    assert (out / "metrics.json").read_text() == "old"
    moved = sorted(str(p.relative_to(previous[0])) for p in previous[0].rglob("*"))
    assert moved == [
        "01_eda.html",
        "01_eda.ipynb",
        "figures",
        "figures/01_eda",
        "figures/01_eda/01-cell3.png",
    ]


@pytest.mark.notebooks
def test_part4_alone_keeps_part3s_network_and_moves_only_its_own_results(tmp_path):
    src, out = tmp_path / "nb", tmp_path / "out"
    write = "import pathlib\n(pathlib.Path(output_dir) / {!r}).write_text({!r})"
    tiny_notebook(src / "03_recipe.ipynb", write.format("recipe_network.json", "part 3"))
    tiny_notebook(
        src / "04_inside.ipynb",
        "import pathlib\nseen = (pathlib.Path(output_dir) / 'recipe_network.json').read_text()",
        "(pathlib.Path(output_dir) / 'inside_metrics.json').write_text('part 4 saw ' + seen)",
    )
    out.mkdir()
    (out / "inside_metrics.json").write_text("an earlier Part 4")
    (out / "recipe_network.json").write_text("part 3")
    result = _run(src, out, "--parts", "4")
    assert result.returncode == 0, result.stderr
    assert "[1/1] 04_inside.ipynb" in result.stdout and "03_recipe" not in result.stdout
    assert (out / "inside_metrics.json").read_text() == "part 4 saw part 3"
    assert (out / "recipe_network.json").read_text() == "part 3"
    [previous] = (out / "previous-runs").iterdir()
    assert [p.name for p in previous.iterdir()] == ["inside_metrics.json"]


def test_debug_shows_the_traceback_with_the_message(notebooks, tmp_path, capsys):
    assert cli.main(["--debug", *_args(notebooks, tmp_path / "out", "--epochs", "0")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "k49tut.errors.ParameterError: --epochs must be" in err
    assert err.endswith(
        "k49tut run: error: --epochs must be a whole number of at least 1, not 0.\n"
    )


def test_a_part_that_is_not_there_is_refused_before_anything_runs(notebooks, tmp_path, capsys):
    err = _refused(capsys, notebooks, tmp_path / "out", "--parts", "3")
    assert err.strip().endswith(f"03_recipe.ipynb not in {notebooks}; pass --notebooks DIR.")
    assert not (tmp_path / "out").exists()


@pytest.mark.notebooks
def test_a_cell_past_its_time_limit_is_stopped_naming_it_and_keeping_the_notebook(tmp_path):
    src, out = tmp_path / "nb", tmp_path / "out"
    tiny_notebook(src / "01_eda.ipynb", "print('before')", "import time\ntime.sleep(120)")
    started = time.monotonic()
    result = _run(src, out, "--timeout", "3")
    assert time.monotonic() - started < 60
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert (
        "k49tut run: 01_eda.ipynb stopped at In [4], the cell starting 'import time', which "
        "ran longer than the time limit of 3 s per cell (--timeout)."
    ) in result.stderr
    assert f"The partly executed notebook is kept: {out / '01_eda.ipynb'}" in result.stderr
    assert "before" in (out / "01_eda.ipynb").read_text()
