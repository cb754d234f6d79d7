"""Telling the machine's build failures (full, read-only, not ours) from the code's."""
from checker import buildenv


def test_a_usable_build_dir_is_created_and_left_clean(tmp_path):
    build_dir = tmp_path / "new" / "build"
    assert buildenv.probe(build_dir) is None
    assert build_dir.is_dir() and list(build_dir.iterdir()) == []


def test_a_build_dir_under_a_file_cannot_be_made(tmp_path):
    (tmp_path / "file").write_text("")
    problem = buildenv.probe(tmp_path / "file" / "build")
    assert problem.startswith(f"cannot write to the build directory {tmp_path / 'file' / 'build'}: ")
    assert "--build-dir" in problem


def test_an_ordinary_compiler_error_is_the_codes():
    log = "main.cpp:3:1: error: expected ';' before '}' token\nninja: build stopped: subcommand failed.\n"
    assert buildenv.machine_cause(log, "/b") is None


def test_the_machines_words_are_found_in_the_log(tmp_path):
    cause = buildenv.machine_cause("ok\nfatal error: write failed: No space left on device\n", tmp_path)
    assert cause.startswith("the build failed because of this machine, not the code: fatal error: "
                            "write failed: No space left on device")
    assert str(tmp_path) in cause
