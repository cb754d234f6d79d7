"""A stage's comments and docs state what is true of that stage; history belongs in the book.

Code is copied from stage to stage, so a comment that tells a file's history ("until stage 04",
"from stage 08 on", "(stage 06)") is true where it was written and false a few stages later,
and tools/stage-drift.py, which compares bytes, cannot see it.  The book's chapters
(book/stages/NN-name.md) tell the history; a comment may point at one ("Book: chapter ...").
These checks keep it that way:

  - the header comment of stages/NN-name/kernel/main.cpp names no stage but NN-name;
  - every "Book: chapter(s) ..." line names chapters that exist, every book/....md path
    exists, and every "the book's chapter "Title"" is a chapter's title;
  - no stage file and no book page speaks of the tracker's issue numbers ("issue 12",
    "issue #12", ".../issues/12"); project text speaks of the code.  Citations of upstream
    trackers ("Go issue 52863", golang/go/issues/...) are facts about Go, and stay;
  - the comments of a stage's sources (kernel/, go/, stage.toml, lab.toml, go-patches/README.md)
    use no history phrase ("until stage", "from stage N on", "before stage", "(stage 08)",
    "later stages", ...);
  - a stage's README may frame the stage as "Stage NN-1 plus ..." but names no later stage.

Each check is a function of a file's text, so the tests at the bottom feed it fake files to show
that it fails on what it is meant to catch.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
STAGE_DIR = re.compile(r"^(\d{2})-[a-z0-9-]+$")
STAGES = sorted(p.name for p in (REPO / "stages").iterdir() if p.is_dir() and STAGE_DIR.match(p.name))
BOOK_PAGES = sorted(p.relative_to(REPO).as_posix()
                    for p in [*(REPO / "book").glob("*.md"), *(REPO / "book" / "stages").glob("*.md")])

# A stage by name: "05-futex", "07-console-read".  "64-bit" and "16-byte" are not stages.
STAGE_NAME = re.compile(r"\b(\d{2})-([a-z][a-z0-9]*(?:-[a-z][a-z0-9]*)*)")
NOT_A_STAGE = {"bit", "bits", "byte", "bytes", "kib", "mib", "gib", "kb", "mb", "gb", "ms", "ns",
               "us", "second", "seconds", "entry", "entries", "page", "pages", "slot", "slots",
               "way", "word", "words", "line", "lines", "char", "chars", "character", "characters",
               "digit", "digits", "level", "step", "steps", "frame", "frames", "deep", "wide",
               "element", "elements", "hex"}
# A stage by number: "stage 08", "stages 02-03", "stages 01 to 05", "Stage 10".
STAGE_NUMBER = re.compile(r"\bstages?\s+(\d{1,2}(?:\s*(?:,|and|or|to|-)\s*\d{1,2}\b)*)", re.IGNORECASE)

BOOK_LINE = re.compile(r"\bbook:?\s+chapters?\s+([^\n]*)", re.IGNORECASE)
BOOK_PATH = re.compile(r"\bbook/[A-Za-z0-9_./-]*?\.md\b")
BOOK_TITLE = re.compile(r"\bbook's\s+chapters?\s+\"([^\"]+)\"", re.IGNORECASE)

ISSUE = re.compile(r"\bissues?\s*#\s*\d+|\bissues?\s+\d+|\bissues/\d+", re.IGNORECASE)
# Another project's tracker, cited as a source: "Go issue 52863", golang/go/issues/52863.
UPSTREAM = re.compile(r"(?:\b(?:go|golang|xen|linux|qemu|glibc|gcc|llvm|binutils|debian)\s+"
                      r"|golang/go/|go\.dev/|golang\.org/)$", re.IGNORECASE)

HISTORY = [
    re.compile(p, re.IGNORECASE) for p in (
        r"\buntil stage\b",
        r"\bfrom stage \d+ on\b",
        r"\(stages? \d+ on\)",
        r"\bbefore stage\b",
        r"\bafter stage \d+",
        r"\b(?:later|earlier|next|previous|following) stages?\b",
        r"\bin stage \d+",
        r"\(stages? \d+\b",
        r"\bstages? \d+\)",
        r"\bis stage \d+\b(?!')",
        r"\bstages? \d+ (?:adds|brings|gives|starts|replaces|makes|turns|will)\b",
        r"\bstages \d+\s*(?:to|and|-)\s*\d+",
        r"\bnot in this stage yet\b",
    )
]
SOURCE_SUFFIXES = {".cpp", ".hpp", ".S", ".inc", ".ld", ".go"}
C_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])\'')
TOML_STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'[^\'\n]*\'')


def line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def stage_names(text: str) -> list[tuple[int, str]]:
    """(offset, "NN-name") for every stage named by its directory name."""
    return [(m.start(), m.group(0)) for m in STAGE_NAME.finditer(text)
            if m.group(2).split("-")[0] not in NOT_A_STAGE]


def stage_numbers(text: str) -> list[tuple[int, int]]:
    """(offset, number) for every stage named by its number ("stage 08", "stages 02-03")."""
    return [(m.start(), int(n)) for m in STAGE_NUMBER.finditer(text) for n in re.findall(r"\d+", m.group(1))]


def stage_mentions(text: str) -> list[tuple[int, int, str]]:
    """(line, number, how it is named) for every stage the text names, once per line and stage:
    "Stage 10-preempt" is one mention, by name."""
    mentions: dict[tuple[int, int], str] = {}
    for offset, name in stage_names(text):
        mentions.setdefault((line_of(text, offset), int(name[:2])), name)
    for offset, number in stage_numbers(text):
        mentions.setdefault((line_of(text, offset), number), f"stage {number:02d}")
    return sorted((line, number, what) for (line, number), what in mentions.items())


# --- the checks: each takes a file's text and a label to report it by, and returns problems


def main_header_problems(stage: str, text: str, label: str) -> list[str]:
    """main.cpp's opening comment describes its own stage and names no other."""
    header = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        header.append(line)
    own = {stage, f"stage {stage[:2]}"}
    return [f"{label}:{line}: the header names {what}; {stage}'s main.cpp describes {stage} only "
            f"(its history: book/stages/{stage}.md)"
            for line, _, what in stage_mentions("\n".join(header)) if what not in own]


def chapter_titles(root: Path) -> set[str]:
    titles = set()
    for page in [*(root / "book").glob("*.md"), *(root / "book" / "stages").glob("*.md")]:
        for line in page.read_text().splitlines():
            if line.startswith("# "):
                titles.add(line[2:].strip())
    return titles


def book_reference_problems(text: str, label: str, root: Path) -> list[str]:
    """Book lines name chapters that exist; book/....md paths and quoted chapter titles exist."""
    problems = []
    for m in BOOK_LINE.finditer(text):
        named = m.group(1).split("(", 1)[0]
        chapters = [name for _, name in stage_names(named)]
        if not chapters:
            problems.append(f"{label}:{line_of(text, m.start())}: a book line that names no chapter "
                            f"(write 'Book: chapter NN-name (book/stages/NN-name.md)')")
        for name in chapters:
            if not (root / "book" / "stages" / f"{name}.md").is_file():
                problems.append(f"{label}:{line_of(text, m.start())}: names chapter {name}, "
                                f"but book/stages/{name}.md does not exist")
    for m in BOOK_PATH.finditer(text):
        if not (root / m.group(0)).is_file():
            problems.append(f"{label}:{line_of(text, m.start())}: {m.group(0)} does not exist")
    titles = None
    for m in BOOK_TITLE.finditer(text):
        titles = chapter_titles(root) if titles is None else titles
        if m.group(1) not in titles:
            problems.append(f"{label}:{line_of(text, m.start())}: no chapter of the book is titled "
                            f"\"{m.group(1)}\"")
    return problems


def issue_number_problems(text: str, label: str) -> list[str]:
    """The tracker's issue numbers; upstream citations ("Go issue 52863") are allowed."""
    problems = []
    for m in ISSUE.finditer(text):
        start_of_line = text.rfind("\n", 0, m.start()) + 1
        if UPSTREAM.search(text[start_of_line:m.start()]):
            continue
        problems.append(f"{label}:{line_of(text, m.start())}: '{m.group(0)}': say what the code "
                        f"does and why, not which issue asked for it")
    return problems


def comment_lines(suffix: str, text: str) -> list[tuple[int, str]]:
    """(line number, comment text) of a source file: // and /* */ comments (strings left out),
    the part after # of a TOML line, every line of a Markdown file."""
    out = []
    in_block = False
    for number, line in enumerate(text.splitlines(), 1):
        if suffix == ".md":
            out.append((number, line))
            continue
        if suffix == ".toml":
            code = TOML_STRING.sub('""', line)
            if "#" in code:
                out.append((number, code.split("#", 1)[1]))
            continue
        code = C_STRING.sub('""', line)
        comment = []
        while code:
            if in_block:
                end = code.find("*/")
                comment.append(code if end < 0 else code[:end])
                if end < 0:
                    break
                code, in_block = code[end + 2:], False
                continue
            line_comment, block = code.find("//"), code.find("/*")
            if line_comment >= 0 and (block < 0 or line_comment < block):
                comment.append(code[line_comment + 2:])
                break
            if block < 0:
                break
            code, in_block = code[block + 2:], True
        if comment:
            out.append((number, " ".join(comment)))
    return out


def history_phrase_problems(suffix: str, text: str, label: str) -> list[str]:
    """Comments that tell the file's history instead of what is true in this stage."""
    problems = []
    for number, comment in comment_lines(suffix, text):
        for pattern in HISTORY:
            if m := pattern.search(comment):
                problems.append(f"{label}:{number}: '{m.group(0)}' tells history; state what is true "
                                f"in this stage (the book's chapters tell how it came to be)")
                break
    return problems


def later_stage_problems(stage: str, text: str, label: str) -> list[str]:
    """A stage's README may speak of the stages before it (its milestone), not of later ones."""
    return [f"{label}:{line}: names {what}, a later stage: say what is true here"
            for line, number, what in stage_mentions(text) if number > int(stage[:2])]


# --- the tree


def stage_files(stage: str) -> list[tuple[Path, str]]:
    files = []
    for path in sorted((REPO / "stages" / stage).rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        try:
            files.append((path, path.read_text(encoding="utf-8")))
        except UnicodeDecodeError:
            continue
    return files


def is_source(stage: str, path: Path) -> bool:
    rel = path.relative_to(REPO / "stages" / stage)
    if rel.parts[0] == "kernel" and path.suffix in SOURCE_SUFFIXES:
        return True
    if rel.parts[0] == "go" and path.suffix == ".go":
        return True
    return rel.as_posix() in ("stage.toml", "lab.toml", "go-patches/README.md")


def shown(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def fail_with(problems: list[str]) -> None:
    if problems:
        pytest.fail(f"{len(problems)} problem(s):\n  " + "\n  ".join(problems), pytrace=False)


@pytest.mark.parametrize("stage", STAGES)
def test_main_cpp_header_names_only_its_own_stage(stage):
    path = REPO / "stages" / stage / "kernel" / "main.cpp"
    fail_with(main_header_problems(stage, path.read_text(), shown(path)))


@pytest.mark.parametrize("stage", STAGES)
def test_book_references_name_chapters_that_exist(stage):
    fail_with([p for path, text in stage_files(stage) for p in book_reference_problems(text, shown(path), REPO)])


@pytest.mark.parametrize("stage", STAGES)
def test_stage_files_speak_of_no_issue_numbers(stage):
    fail_with([p for path, text in stage_files(stage) for p in issue_number_problems(text, shown(path))])


@pytest.mark.parametrize("page", BOOK_PAGES)
def test_book_pages_speak_of_no_issue_numbers(page):
    fail_with(issue_number_problems((REPO / page).read_text(), page))


@pytest.mark.parametrize("stage", STAGES)
def test_source_comments_tell_no_history(stage):
    fail_with([p for path, text in stage_files(stage) if is_source(stage, path)
               for p in history_phrase_problems(path.suffix, text, shown(path))])


@pytest.mark.parametrize("stage", STAGES)
def test_readme_names_no_later_stage(stage):
    path = REPO / "stages" / stage / "README.md"
    fail_with(later_stage_problems(stage, path.read_text(), shown(path)))


def test_the_tree_has_stages_and_book_pages():
    assert len(STAGES) >= 10 and "book/stages/01-link.md" in BOOK_PAGES


# --- each check fails on what it is meant to catch


def test_a_header_naming_another_stage_fails():
    text = ("// Stage 09-signals: synchronous signals.  Beneath it, stage 08's network card;\n"
            "// 10-preempt adds the rest.  Buffers are 64-bit aligned, 16-byte blocks.\n"
            "// Book: chapter 09-signals (book/stages/09-signals.md).\n"
            "#include \"console.hpp\"\n"
            "// stage 07 below the header is not the header's business\n")
    problems = main_header_problems("09-signals", text, "main.cpp")
    assert len(problems) == 2, problems
    assert problems[0].startswith("main.cpp:1: the header names stage 08;")
    assert problems[1].startswith("main.cpp:2: the header names 10-preempt;")
    assert main_header_problems("09-signals", text.replace("stage 08's", "a").replace("10-preempt adds",
                                                                                         "one adds"), "m") == []


def test_a_header_naming_a_span_of_stages_fails():
    problems = main_header_problems("03-tls", "// The Go side of stages 01 to 05.\n", "main.cpp")
    assert [p.split(": ", 1)[1].split(";")[0] for p in problems] == ["the header names stage 01",
                                                                       "the header names stage 05"]
    assert main_header_problems("03-tls", "// Stage 03-tls, stage 03, 03-tls.\n", "main.cpp") == []
    assert main_header_problems("03-tls", "// Stage 03-tlsx.\n", "main.cpp") != []


def test_a_book_line_naming_a_missing_chapter_fails(tmp_path):
    (tmp_path / "book" / "stages").mkdir(parents=True)
    (tmp_path / "book" / "stages" / "05-futex.md").write_text("# Stage 05: futex\n")
    (tmp_path / "book" / "checker.md").write_text("# Checker\n")
    good = ("// Book: chapter 05-futex (book/stages/05-futex.md).\n"
            "# see book/checker.md\n"
            "The book's chapter \"Stage 05: futex\" explains the milestone.\n")
    assert book_reference_problems(good, "f", tmp_path) == []
    bad = ("// Book: chapters 05-futex and 09-signals (book/stages/05-futex.md,\n"
           "// book/stages/09-signals.md).\n"
           "// Book: chapter 12 of something\n"
           "(book chapter 11-udp, \"Sockets\")\n"
           "The book's chapter \"Stage 09: signals\" explains it.\n")
    problems = book_reference_problems(bad, "f.cpp", tmp_path)
    assert problems == [
        "f.cpp:1: names chapter 09-signals, but book/stages/09-signals.md does not exist",
        "f.cpp:3: a book line that names no chapter (write 'Book: chapter NN-name (book/stages/NN-name.md)')",
        "f.cpp:4: names chapter 11-udp, but book/stages/11-udp.md does not exist",
        "f.cpp:2: book/stages/09-signals.md does not exist",
        "f.cpp:5: no chapter of the book is titled \"Stage 09: signals\"",
    ]


def test_issue_numbers_fail_and_upstream_citations_do_not():
    text = ("// not in this stage yet (issue 12 asks for them)\n"
            "see issue #7, and\n"
            "https://example.org/unigornel/issues/31\n"
            "(`cmd/go/internal/work/exec.go`, Go issue 52863) and golang/go/issues/52863\n"
            "a system call Go can issue on linux/amd64; issue 2 of the Xen PV ABI\n")
    problems = issue_number_problems(text, "x.md")
    assert [p.split(": ", 1)[0] for p in problems] == ["x.md:1", "x.md:2", "x.md:3", "x.md:5"]
    assert "'issue 12'" in problems[0]


def test_history_phrases_in_comments_fail_and_strings_do_not():
    text = ("// Until stage 04 brings a page-frame allocator the region is an array.\n"
            "int x;  // the console's, from stage 08 on the network card's too\n"
            "/* a block comment\n"
            " * (stage 06): files\n"
            " */\n"
            "    set_note(\"console input is stage 07 (stage 07)\");  // fine\n"
            "// lab 05-futex begin: FutexTable::add\n"
            "// Book: chapter 05-futex (book/stages/05-futex.md).\n"
            "// Later stages replace these stubs.\n"
            "// Adds NAME=value (the network card's settings, stage 08).\n"
            "int y;  // its Println fails: write is stage 06\n")
    problems = history_phrase_problems(".cpp", text, "k.cpp")
    assert [p.split(":")[1] for p in problems] == ["1", "2", "4", "9", "10", "11"]
    assert "'Until stage'" in problems[0]
    toml = ("# The 2016 report's fragment 6, as in stage 07 (stage 07).\n"
            "hint = \"names what would start the runtime (.init_array, stage 02)\"\n")
    assert [p.split(":")[1] for p in history_phrase_problems(".toml", toml, "s.toml")] == ["1"]
    assert history_phrase_problems(".md", "a stack (stage 04 on) |\n", "README.md") != []


def test_a_readme_naming_a_later_stage_fails():
    text = ("# Stage 09: signals\n\nStage 08 plus signals.  Stage 10-preempt adds that.\n"
            "python3 -m checker run 09-signals\n| `boot` | stage 08's tests |\n")
    problems = later_stage_problems("09-signals", text, "README.md")
    assert problems == ["README.md:3: names 10-preempt, a later stage: say what is true here"]
