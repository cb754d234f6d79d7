"""book/_ext/go_needs.py (the page "What Go needs from the operating system") on small fake
stage trees: what it reads from the system-call tables and the C library, what it renders, and
which missing pieces it reports."""
import importlib.util
import sys
from pathlib import Path

import pytest

EXT = Path(__file__).resolve().parents[2] / "book" / "_ext" / "go_needs.py"


@pytest.fixture(scope="module")
def gn():
    spec = importlib.util.spec_from_file_location("go_needs_under_test", EXT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look the module up
    spec.loader.exec_module(mod)
    return mod


SYMS = ["malloc", "setenv", "mmap", "stderr"]


def table(rows: list[tuple[str, str]]) -> str:
    """table.cpp with kTable rows: (comment, row) pairs."""
    body = "".join(f"    // {c}\n    {r}\n" for c, r in rows)
    return ('// The system-call table.\n#include "table.hpp"\n\nnamespace kernel::syscalls {\n'
            f"constexpr Info kTable[] = {{\n{body}}};\n}}\n")


ROW_WRITE_NULL = '{1,   "write",             "dbu",    kLogged,         nullptr},'
ROW_WRITE = '{1,   "write",             "dbu",    kQuiet,          sys_write},'
ROW_MMAP = '{9,   "mmap",              "aLPFdx", kLogged,         sys_mmap},'
ROW_MMAP_NULL = '{9,   "mmap",              "aLPFdx", kLogged,         nullptr},'
ROW_OPEN = '{2,   "open",              "sxx",    kBatch | kQuiet, nullptr},'

STUBS_01 = """// stubs
#define UNIMPLEMENTED(name) \\
    extern "C" void name() { unimplemented(#name, __builtin_return_address(0)); }
extern "C" {
void* stderr = nullptr;
int mmap(void*) {
    return 0;
}
}  // extern "C"
UNIMPLEMENTED(malloc)
UNIMPLEMENTED(setenv)
"""

LIBC_02 = {
    "kernel/libc/malloc.cpp": 'extern "C" {\n// malloc for Go\nvoid* malloc(size_t n) {\n    return kernel::heap::alloc(n);\n}\n}\n',
    "kernel/libc/unimplemented.cpp": "#define UNIMPLEMENTED(name) \\\n"
                                     '    extern "C" void name() { unimplemented(#name, 0); }\n'
                                     "UNIMPLEMENTED(setenv)\n",
    "kernel/libc/wrappers.cpp": 'extern "C" {\nvoid* mmap(void* a, size_t n) {\n'
                                '    return (void*)to_libc(invoke("libc mmap", 9, (uint64_t)a, n));\n}\n'
                                'void* stderr = reinterpret_cast<void*>(2);\n}\n',
}


def make_tree(root: Path, stages: dict[str, dict[str, str]]) -> Path:
    for stage, files in stages.items():
        (root / "stages" / stage).mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            p = root / "stages" / stage / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text)
    return root


def three_stages(root: Path) -> Path:
    return make_tree(root, {
        "01-link": {"kernel/libc_stubs.cpp": STUBS_01},
        "02-rt0": {
            "kernel/syscalls/table.cpp": table([("stdout", ROW_WRITE_NULL), ("old open", ROW_OPEN),
                                                ("the heap", ROW_MMAP_NULL)]),
            **LIBC_02,
        },
        "03-mmap": {
            "kernel/syscalls/table.cpp": table([("fmt and os.Stdout", ROW_WRITE_NULL),
                                                ("the old open(2)", ROW_OPEN),
                                                ("the Go heap", ROW_MMAP)]),
            "kernel/syscalls/memory.cpp": "long sys_mmap(const Args& call) {\n    return 0;\n}\n",
            **LIBC_02,
        },
    })


# --- parse_table -------------------------------------------------------------------------------


def test_rows_with_their_comment_handler_and_flags(gn):
    rows = gn.parse_table(table([("fmt and os.Stdout", ROW_WRITE), ("the old open(2)", ROW_OPEN)]))
    assert [(r.nr, r.name, r.kinds, r.flags, r.handler, r.purpose) for r in rows] == [
        (1, "write", "dbu", "kQuiet", "sys_write", "fmt and os.Stdout"),
        (2, "open", "sxx", "kBatch | kQuiet", None, "the old open(2)"),
    ]


def test_a_comment_of_several_lines_is_one_purpose(gn):
    text = table([]).replace("kTable[] = {\n", "kTable[] = {\n    // first line\n    // second line\n    "
                             + ROW_WRITE + "\n")
    [row] = gn.parse_table(text)
    assert row.purpose == "first line second line"


def test_missing_table_marker_is_an_error_naming_the_file(gn):
    text = table([("x", ROW_WRITE)]).replace("constexpr Info kTable[] = {", "constexpr Info kRows[] = {")
    with pytest.raises(gn.NeedsError, match=r"stages/02-rt0/kernel/syscalls/table.cpp: no line 'constexpr Info kTable"):
        gn.parse_table(text, "stages/02-rt0/kernel/syscalls/table.cpp")


def test_row_without_comment_is_an_error(gn):
    text = table([]).replace("kTable[] = {\n", "kTable[] = {\n    " + ROW_WRITE + "\n")
    with pytest.raises(gn.NeedsError, match="write has no comment"):
        gn.parse_table(text)


def test_unreadable_row_is_an_error_with_its_line(gn):
    text = table([("x", '{1, write, "dbu", kLogged, nullptr},')])
    with pytest.raises(gn.NeedsError, match=r"t.cpp:\d+: cannot read this row"):
        gn.parse_table(text, "t.cpp")


def test_empty_or_unclosed_table_is_an_error(gn):
    with pytest.raises(gn.NeedsError, match="no rows"):
        gn.parse_table(table([]))
    with pytest.raises(gn.NeedsError, match="no closing"):
        gn.parse_table("constexpr Info kTable[] = {\n    // x\n    " + ROW_WRITE + "\n")


# --- handlers and libc -------------------------------------------------------------------------


def test_handler_files_are_found_by_their_definition(gn, tmp_path):
    make_tree(tmp_path, {"04-x": {
        "kernel/syscalls/memory.cpp": "long sys_mmap(const Args& call) {\n  return 0;\n}\n",
        "kernel/syscalls/decl.cpp": "long sys_write(const Args&);  // a declaration\n",
        "kernel/syscalls/files.cpp": "long sys_write(const Args& c) { return 0; }\n"}})
    found = gn.find_handlers(tmp_path / "stages" / "04-x", {"sys_mmap", "sys_write", "sys_nope"})
    assert found["sys_mmap"] == "kernel/syscalls/memory.cpp"
    assert found["sys_write"] == "kernel/syscalls/files.cpp"  # not the declaration in decl.cpp
    assert "sys_nope" not in found


def test_libc_stage_01_is_all_stubs(gn):
    defs = gn.parse_libc_file(STUBS_01, SYMS, all_stubs=True)
    assert set(defs) == set(SYMS)
    assert all(d.stub for d in defs.values())


def test_libc_real_stub_and_wrapped_system_call(gn, tmp_path):
    make_tree(tmp_path, {"02-rt0": LIBC_02})
    defs = gn.parse_libc(tmp_path / "stages" / "02-rt0", SYMS)
    assert (defs["malloc"].file, defs["malloc"].stub) == ("kernel/libc/malloc.cpp", False)
    assert (defs["setenv"].file, defs["setenv"].stub) == ("kernel/libc/unimplemented.cpp", True)
    assert (defs["mmap"].file, defs["mmap"].stub, defs["mmap"].wraps) == ("kernel/libc/wrappers.cpp", False, 9)
    assert defs["stderr"].file == "kernel/libc/wrappers.cpp"


def test_libc_calls_and_declarations_are_not_definitions(gn):
    text = ('extern "C" void* malloc(size_t n);\n'
            'extern "C" {\nint f() {\n    if (malloc(4)) return 1;\n    return malloc(8) != 0;\n}\n}\n'
            "void* mmap(void*) {\n    return 0;\n}\n")  # no C linkage
    assert gn.parse_libc_file(text, SYMS) == {}


def test_libc_symbols_in_comments_and_strings_do_not_count(gn):
    text = 'extern "C" {\n// void* malloc(size_t n) { old }\nconst char* s = "void* mmap(int) {";\n}\n'
    assert gn.parse_libc_file(text, SYMS) == {}


# --- the whole tree ----------------------------------------------------------------------------


def test_load_and_render_a_tree(gn, tmp_path):
    stages, problems = gn.load_stages(three_stages(tmp_path), SYMS)
    assert problems == []
    assert [s.name for s in stages] == ["01-link", "02-rt0", "03-mmap"]
    assert stages[0].rows is None and len(stages[1].rows) == 3

    rows = {line.split("|")[2].strip(): line for line in gn.render_syscalls(stages)[2:]}
    mmap = rows["`mmap`"]
    assert "`03-mmap`" in mmap
    assert "{src}`kernel/syscalls/memory.cpp <stages/03-mmap/kernel/syscalls/memory.cpp>`" in mmap
    assert "the Go heap" in mmap  # the purpose comes from the latest stage
    assert "01: not handled yet (no system calls); 02: -ENOSYS" in mmap
    assert "never" in rows["`open`"] and "(never handled)" in rows["`open`"]
    assert "fmt and os.Stdout" in rows["`write`"]

    libc = {line.split("|")[1].strip(): line for line in gn.render_libc(stages)[2:] if line.startswith("| `")}
    assert "`02-rt0`" in libc["`malloc`"]
    assert "01: stub, {src}`kernel/libc_stubs.cpp <stages/01-link/kernel/libc_stubs.cpp>`" in libc["`malloc`"]
    assert "02–03: real, {src}`kernel/libc/malloc.cpp <stages/02-rt0/kernel/libc/malloc.cpp>`" in libc["`malloc`"]
    assert "a stub in every stage" in libc["`setenv`"]
    assert "`mmap` (9)" in libc["`mmap`"]

    summary = gn.render_summary(stages)
    assert summary[2].startswith("| `01-link` | none")
    assert "| `03-mmap` | 1 of 3 | `mmap` |" in summary[4]


def test_every_stage_and_only_stages_are_read(gn, tmp_path):
    three_stages(tmp_path)
    (tmp_path / "stages" / "notes").mkdir()
    make_tree(tmp_path, {"04-next": {"kernel/libc_stubs.cpp": STUBS_01}})
    stages, _ = gn.load_stages(tmp_path, SYMS)
    assert [s.name for s in stages] == ["01-link", "02-rt0", "03-mmap", "04-next"]


def test_a_call_never_handled_anywhere_says_so(gn, tmp_path):
    make_tree(tmp_path, {"02-rt0": {"kernel/syscalls/table.cpp": table([("x", ROW_OPEN)]), **LIBC_02}})
    stages, _ = gn.load_stages(tmp_path, SYMS)
    [line] = gn.render_syscalls(stages)[2:]
    assert line.endswith("| -ENOSYS in every stage |")


def test_problems_are_reported(gn, tmp_path):
    three_stages(tmp_path)
    (tmp_path / "stages" / "03-mmap" / "kernel" / "syscalls" / "memory.cpp").write_text("// gone\n")
    (tmp_path / "stages" / "02-rt0" / "kernel" / "libc" / "malloc.cpp").write_text("// gone\n")
    make_tree(tmp_path, {"04-broken": {"kernel/syscalls/table.cpp": "// no table here\n", **LIBC_02},
                         "05-empty": {"kernel/syscalls/sched.cpp": "\n", **LIBC_02}})
    _, problems = gn.load_stages(tmp_path, SYMS)
    text = "\n".join(problems)
    assert "handler sys_mmap has no definition 'long sys_mmap(const Args&'" in text
    assert "stages/02-rt0: no file of kernel/libc_stubs.cpp or kernel/libc/*.cpp defines the libc symbol malloc" in text
    assert "stages/04-broken/kernel/syscalls/table.cpp: no line 'constexpr Info kTable[] = {'" in text
    assert "stages/05-empty: kernel/syscalls/ but no table.cpp" in text


def test_the_real_stages_read_without_problems(gn):
    stages, problems = gn.load_stages()
    assert problems == []
    assert stages[0].name.startswith("01-") and stages[0].rows is None
    assert all(len(s.libc) == len(gn.LIBC_SYMBOLS) for s in stages)
