"""Sphinx extension: the page "What Go needs from the operating system", read from the stages.

The directive ``{go-needs}`` (used once, in book/go-needs.md) reads every stage directory
``stages/NN-name/`` of the repository when the book is built and writes three tables:

* ``summary``: per stage, how many system calls have a handler and which libc symbols are real;
* ``syscalls``: every row of the stages' system-call tables (``kernel/syscalls/table.cpp``,
  ``constexpr Info kTable[] = {``): number, name, the first stage with a handler, the file that
  defines the handler (``long sys_xxx(const Args&``), what Go uses the call for (the comment line
  above the row, from the latest stage) and what the stages before answer;
* ``libc``: the C library symbols of Go 1.19's c-archive: which file defines each one in every
  stage (stage 01: ``kernel/libc_stubs.cpp``; later: ``kernel/libc/*.cpp``), and where it stops
  being a stub.

Whatever the generator needs and cannot find (a table without its ``kTable`` line, a row it cannot
read, a row without its comment, a handler without a definition, a libc symbol nobody defines) is
a Sphinx warning, so ``sphinx -W`` fails the build.  The parsing functions do not need Sphinx;
tests/book/test_go_needs.py tests them on small fake stage trees.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
STAGE_RE = re.compile(r"^(\d{2})-[a-z0-9-]+$")

# The C library symbols Go 1.19's -buildmode=c-archive leaves undefined (runtime/cgo's C glue),
# in the order the book lists them.
LIBC_SYMBOLS = [
    "pthread_create", "pthread_detach", "pthread_attr_init", "pthread_attr_getstacksize",
    "pthread_attr_destroy", "pthread_sigmask", "pthread_mutex_lock", "pthread_mutex_unlock",
    "pthread_cond_wait", "pthread_cond_broadcast", "nanosleep", "malloc", "free", "mmap",
    "munmap", "sigaction", "sigemptyset", "sigaddset", "sigismember", "sigfillset", "setenv",
    "unsetenv", "fprintf", "vfprintf", "fwrite", "fputc", "stderr", "strerror", "abort",
    "__errno_location",
]

TABLE_START = "constexpr Info kTable[] = {"
ROW_RE = re.compile(
    r'^\s*\{\s*(?P<nr>\d+)\s*,\s*"(?P<name>[a-z0-9_]+)"\s*,\s*"(?P<kinds>[^"]*)"\s*,'
    r'\s*(?P<flags>[A-Za-z0-9_| ]+?)\s*,\s*(?P<handler>[A-Za-z_][A-Za-z0-9_]*)\s*\}\s*,?\s*$')


class NeedsError(Exception):
    """Something the generator needs is not in the sources; the message says what and where."""


@dataclass
class Row:
    nr: int
    name: str
    kinds: str
    flags: str
    handler: str | None  # None: nullptr, the call gets -ENOSYS
    purpose: str
    line: int


@dataclass
class LibcDef:
    file: str          # relative to the stage directory
    stub: bool
    wraps: int | None = None  # the system call a wrapper invokes, if any


@dataclass
class Stage:
    name: str
    path: Path
    rows: dict[int, Row] | None = None         # None: no system-call table in this stage
    handler_files: dict[str, str] = field(default_factory=dict)  # handler -> file (stage-relative)
    libc: dict[str, LibcDef] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Parsing


def parse_table(text: str, where: str = "table.cpp") -> list[Row]:
    """The rows of ``constexpr Info kTable[] = {`` ... ``};`` with the comment above each row."""
    lines = text.splitlines()
    try:
        start = next(i for i, l in enumerate(lines) if l.strip() == TABLE_START)
    except StopIteration:
        raise NeedsError(f"{where}: no line '{TABLE_START}' (the system-call table's marker)") from None
    rows: list[Row] = []
    comment: list[str] = []
    for i in range(start + 1, len(lines)):
        s = lines[i].strip()
        if s.startswith("};"):
            break
        if not s:
            comment = []
            continue
        if s.startswith("//"):
            comment.append(s[2:].strip())
            continue
        m = ROW_RE.match(lines[i])
        if not m:
            raise NeedsError(f"{where}:{i + 1}: cannot read this row of kTable: {s!r}")
        if not comment:
            raise NeedsError(f"{where}:{i + 1}: the row of {m['name']} has no comment above it "
                             "saying what Go uses the call for")
        handler = m["handler"]
        rows.append(Row(int(m["nr"]), m["name"], m["kinds"], " ".join(m["flags"].split()),
                        None if handler == "nullptr" else handler, " ".join(comment), i + 1))
        comment = []
    else:
        raise NeedsError(f"{where}: kTable has no closing '}};'")
    if not rows:
        raise NeedsError(f"{where}: kTable has no rows")
    return rows


def find_handlers(stage_dir: Path, handlers: set[str]) -> dict[str, str]:
    """handler -> the file (relative to the stage) of kernel/syscalls/*.cpp that defines it
    (``long sys_xxx(const Args& ...) {``; a declaration does not count)."""
    found: dict[str, str] = {}
    for f in sorted((stage_dir / "kernel" / "syscalls").glob("*.cpp")):
        text = f.read_text(errors="replace")
        for h in handlers:
            if h not in found and re.search(rf"\blong\s+{re.escape(h)}\s*\(\s*const\s+Args\s*&[^;{{]*\)\s*\{{", text):
                found[h] = f.relative_to(stage_dir).as_posix()
    return found


def _blank_comments_and_strings(text: str) -> str:
    """The text with comments and string literals replaced by spaces (offsets kept)."""
    def blank(m: re.Match) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))
    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'', blank, text, flags=re.S)


def _extern_c_spans(text: str, code: str) -> list[tuple[int, int]]:
    """The extern "C" { ... } blocks: found in the text, braces counted in the blanked code."""
    spans = []
    for m in re.finditer(r'extern\s+"C"\s*\{', text):
        depth, i = 1, m.end()
        while i < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[i], 0)
            i += 1
        spans.append((m.end(), i))
    return spans


def _body(code: str, open_brace: int) -> str:
    depth, i = 0, open_brace
    while i < len(code):
        depth += {"{": 1, "}": -1}.get(code[i], 0)
        i += 1
        if depth == 0:
            break
    return code[open_brace:i]


def parse_libc_file(text: str, symbols: list[str] = LIBC_SYMBOLS, all_stubs: bool = False) -> dict[str, LibcDef]:
    """The libc symbols one C++ file defines with C linkage: symbol -> LibcDef (file left empty).

    A definition is a stub when it is made with the UNIMPLEMENTED(name) macro or its body calls
    unimplemented(...), or when ``all_stubs`` is set (stage 01's libc_stubs.cpp, whose every
    function only diagnoses the call)."""
    # Literal strings are blanked in `code`, but the wrapper's invoke("libc mmap", 9, ...) keeps
    # its number, which is what we read.
    code = _blank_comments_and_strings(text)
    spans = _extern_c_spans(text, code)
    found: dict[str, LibcDef] = {}
    for sym in symbols:
        s = re.escape(sym)
        m = re.search(rf"^\s*UNIMPLEMENTED\(\s*{s}\s*\)", code, re.M)
        if m:
            found[sym] = LibcDef("", True)
            continue
        # A function definition: name, parameter list, then the body's brace.
        for m in re.finditer(rf"(?<![\w.>:]){s}\s*\(([^;{{}}]*)\)\s*(?:noexcept\s*)?\{{", code):
            line_start = code.rfind("\n", 0, m.start()) + 1
            head = code[line_start:m.start()]
            if not re.search(r"[\w*&\]]\s*$", head) or re.search(r"\b(return|if|while|for|switch)\b", head):
                continue  # a call, not a definition
            in_extern = 'extern' in head and '"C"' in text[line_start:m.start()] or any(a <= m.start() < b for a, b in spans)
            if not in_extern:
                continue
            body = _body(code, m.end() - 1)
            stub = all_stubs or "unimplemented(" in body
            w = re.search(r"\binvoke\s*\(\s*\"?[^,]*,\s*(\d+)", text[m.end() - 1:m.end() - 1 + len(body)])
            found[sym] = LibcDef("", stub, int(w.group(1)) if w else None)
            break
        else:
            # A variable (stderr): `void* stderr = ...;` inside extern "C".
            m = re.search(rf"^[ \t]*[\w:]+[ \t]*\*?[ \t]*{s}[ \t]*(=[^;]*)?;", code, re.M)
            if m and (any(a <= m.start() < b for a, b in spans) or 'extern "C"' in text[m.start():m.end()]):
                found[sym] = LibcDef("", all_stubs)
    return found


def parse_libc(stage_dir: Path, symbols: list[str] = LIBC_SYMBOLS) -> dict[str, LibcDef]:
    """symbol -> LibcDef for one stage: kernel/libc_stubs.cpp (all stubs) and kernel/libc/*.cpp."""
    out: dict[str, LibcDef] = {}
    files = [(stage_dir / "kernel" / "libc_stubs.cpp", True)]
    files += [(f, False) for f in sorted((stage_dir / "kernel" / "libc").glob("*.cpp"))]
    for f, all_stubs in files:
        if not f.is_file():
            continue
        for sym, d in parse_libc_file(f.read_text(errors="replace"), symbols, all_stubs).items():
            if sym not in out:
                d.file = f.relative_to(stage_dir).as_posix()
                out[sym] = d
    return out


def load_stages(root: Path = REPO_ROOT, symbols: list[str] = LIBC_SYMBOLS) -> tuple[list[Stage], list[str]]:
    """Every stage under root/stages, read; and the problems found (each a sentence)."""
    problems: list[str] = []
    stages = []
    for d in sorted(p for p in (root / "stages").iterdir() if p.is_dir() and STAGE_RE.match(p.name)):
        st = Stage(d.name, d)
        table = d / "kernel" / "syscalls" / "table.cpp"
        if table.is_file():
            where = table.relative_to(root).as_posix()
            try:
                rows = parse_table(table.read_text(errors="replace"), where)
            except NeedsError as e:
                problems.append(str(e))
                rows = []
            st.rows = {r.nr: r for r in rows}
            handlers = {r.handler for r in rows if r.handler}
            st.handler_files = find_handlers(d, handlers)
            for h in sorted(handlers - set(st.handler_files)):
                problems.append(f"{where}: handler {h} has no definition 'long {h}(const Args&' in "
                                f"{d.relative_to(root).as_posix()}/kernel/syscalls/*.cpp")
        elif (d / "kernel" / "syscalls").is_dir():
            problems.append(f"{d.relative_to(root).as_posix()}: kernel/syscalls/ but no table.cpp")
        st.libc = parse_libc(d, symbols)
        for sym in symbols:
            if sym not in st.libc:
                problems.append(f"{d.relative_to(root).as_posix()}: no file of kernel/libc_stubs.cpp or "
                                f"kernel/libc/*.cpp defines the libc symbol {sym} with C linkage")
        stages.append(st)
    if not stages:
        problems.append(f"{root}/stages: no stage directories")
    return stages, problems


# ---------------------------------------------------------------------------------------------
# Rendering (MyST Markdown, parsed by the directive)


def num(stage: str) -> str:
    return stage[:2]


def group(stages: list[Stage], key) -> list[tuple[list[str], object]]:
    """Runs of consecutive stages with the same key(stage): [([names], key)]."""
    runs: list[tuple[list[str], object]] = []
    for st in stages:
        k = key(st)
        if runs and runs[-1][1] == k:
            runs[-1][0].append(st.name)
        else:
            runs.append(([st.name], k))
    return runs


def span(names: list[str]) -> str:
    return num(names[0]) if len(names) == 1 else f"{num(names[0])}–{num(names[-1])}"


def src(stage: Stage, rel: str) -> str:
    return "{src}`%s <stages/%s/%s>`" % (rel, stage.name, rel)


def cell(s: str) -> str:
    return s.replace("|", "\\|")


def render_summary(stages: list[Stage]) -> list[str]:
    out = ["| stage | system calls with a handler | new handlers | real libc symbols (of %d) |" % len(LIBC_SYMBOLS),
           "|---|---|---|---|"]
    before: set[str] = set()
    for st in stages:
        if st.rows is None:
            out.append(f"| `{st.name}` | none: no system-call table | | "
                       f"{sum(1 for d in st.libc.values() if not d.stub)} |")
            continue
        handled = {r.name for r in st.rows.values() if r.handler}
        new = sorted(handled - before, key=lambda n: next(r.nr for r in st.rows.values() if r.name == n))
        before = handled
        out.append(f"| `{st.name}` | {len(handled)} of {len(st.rows)} | "
                   f"{', '.join(f'`{n}`' for n in new) or '—'} | "
                   f"{sum(1 for d in st.libc.values() if not d.stub)} |")
    return out


def render_syscalls(stages: list[Stage]) -> list[str]:
    numbers = sorted({nr for st in stages if st.rows for nr in st.rows})
    latest = {}
    for st in stages:
        for nr, r in (st.rows or {}).items():
            latest[nr] = r
    out = ["| nr | call | first handled in | handler | what Go uses it for | before that |",
           "|---:|---|---|---|---|---|"]
    for nr in numbers:
        r = latest[nr]
        first = next((st for st in stages if st.rows and nr in st.rows and st.rows[nr].handler), None)
        if first is None:
            first_txt, handler_txt, upto = "never", "—", stages
        else:
            h = first.rows[nr].handler
            first_txt = f"`{first.name}`"
            handler_txt = f"`{h}` in " + src(first, first.handler_files[h]) if h in first.handler_files else f"`{h}`"
            upto = stages[:stages.index(first)]

        def answer(st: Stage) -> str:
            if st.rows is None:
                return "not handled yet (no system calls)"
            if nr not in st.rows:
                return "not handled yet (no row)"
            return "-ENOSYS"
        if first is None and all(st.rows is not None and nr in st.rows for st in stages):
            before = "-ENOSYS in every stage"
        else:
            before = "; ".join(f"{span(names)}: {ans}" for names, ans in group(upto, answer)) or "—"
            if first is None:
                before += " (never handled)"
        out.append(f"| {nr} | `{r.name}` | {first_txt} | {handler_txt} | {cell(r.purpose)} | {before} |")
    return out


def render_libc(stages: list[Stage]) -> list[str]:
    by_nr = {}
    for st in stages:
        for nr, r in (st.rows or {}).items():
            by_nr[nr] = r.name
    out = ["| symbol | first real in | defined in, stage by stage | wraps the system call |",
           "|---|---|---|---|"]
    for sym in LIBC_SYMBOLS:
        first = next((st for st in stages if sym in st.libc and not st.libc[sym].stub), None)

        def where(st: Stage):
            d = st.libc.get(sym)
            return None if d is None else (d.file, d.stub)
        parts = []
        for names, k in group(stages, where):
            if k is None:
                parts.append(f"{span(names)}: not defined")
                continue
            st = next(s for s in stages if s.name == names[0])
            parts.append(f"{span(names)}: {'stub' if k[1] else 'real'}, {src(st, k[0])}")
        wraps = next((st.libc[sym].wraps for st in reversed(stages) if sym in st.libc and st.libc[sym].wraps is not None), None)
        wraps_txt = "—" if wraps is None else f"`{by_nr.get(wraps, 'syscall_%d' % wraps)}` ({wraps})"
        out.append(f"| `{sym}` | {f'`{first.name}`' if first else 'a stub in every stage'} | "
                   f"{'; '.join(parts)} | {wraps_txt} |")
    return out


RENDERERS = {"summary": render_summary, "syscalls": render_syscalls, "libc": render_libc}


# ---------------------------------------------------------------------------------------------
# Sphinx


def setup(app):
    from docutils.statemachine import StringList
    from docutils import nodes
    from sphinx.util import logging
    from sphinx.util.docutils import SphinxDirective

    logger = logging.getLogger(__name__)

    class GoNeeds(SphinxDirective):
        """``{go-needs} summary|syscalls|libc``: one generated table."""
        required_arguments = 1

        def run(self):
            what = self.arguments[0]
            if what not in RENDERERS:
                logger.warning(f"go-needs: unknown table {what!r} (known: {', '.join(RENDERERS)})",
                               location=(self.env.docname, self.lineno))
                return []
            stages, problems = load_stages(REPO_ROOT)
            for st in stages:  # rebuild the page when a stage's sources change
                for f in [st.path / "kernel" / "syscalls" / "table.cpp", st.path / "kernel" / "libc_stubs.cpp",
                          *sorted((st.path / "kernel" / "libc").glob("*.cpp")),
                          *sorted((st.path / "kernel" / "syscalls").glob("*.cpp"))]:
                    if f.is_file():
                        self.env.note_dependency(str(f))
            if what == "summary":  # report the sources' problems once per page
                for p in problems:
                    logger.warning(f"go-needs: {p}", location=(self.env.docname, self.lineno))
            container = nodes.container(classes=["go-needs", f"go-needs-{what}"])
            lines = RENDERERS[what](stages)
            self.state.nested_parse(StringList(lines, source=f"go-needs {what}"), self.content_offset, container)
            return [container]

    app.add_directive("go-needs", GoNeeds)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
