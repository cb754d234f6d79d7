"""The kernel's function names, read from its ELF file, to turn code addresses into words.

When a guest hangs, the checker reads its registers and stack from dom0 (xenctx) and wants to
say "kernel_main+0x1a" rather than "0x101a3a".  Everything needed is in the kernel's own symbol
table (.symtab), which the build keeps in kernel.debug.elf (kernel.elf, the image Xen boots,
is stripped of it; cmake/unigornel_stage.cmake).  The file is read with the standard library (no binutils needed) and
only the parts used here are decoded: the ELF64 little-endian header, the section headers and
the symbols.  C++ names are shown demangled when c++filt (binutils) is installed.
"""
from __future__ import annotations

import bisect
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

SHT_SYMTAB = 2
SHF_ALLOC = 0x2
SHF_EXECINSTR = 0x4
STT_OBJECT = 1
STT_FUNC = 2
STT_SECTION = 3
STT_FILE = 4
SHN_UNDEF = 0
SHN_LORESERVE = 0xff00


class SymbolError(Exception):
    """The file is not an ELF64 little-endian file with a symbol table."""


@dataclass(frozen=True)
class Symbol:
    address: int
    size: int
    name: str
    function: bool = False  # STT_FUNC: the compiler's functions, not labels


class SymbolTable:
    """The code symbols of one ELF file, sorted by address, and where its code lies."""

    def __init__(self, symbols: list[Symbol], text: list[tuple[int, int]], guards: dict[str, int] | None = None,
                 image_end: int | None = None, heap_in_image: tuple[int, int] | None = None):
        # Where several names share an address, the first of them is shown: functions before
        # labels, then the symbol table's own order, which lists the object files' names
        # before the linker script's (so the entry point is "_start", not "_text").
        self.symbols = sorted(symbols, key=lambda s: (s.address, not s.function))
        self._starts = [s.address for s in self.symbols]
        self.text = sorted(text)  # [start, end) of every section holding code
        # Guard pages the kernel unmaps on purpose (boot.S: boot_stack_guard), by name: a
        # stack pointer inside one means that stack overflowed (checker/xen_log.py).
        self.guards = dict(guards or {})
        # Where the kernel image ends (linker.ld: _image_end); from stage 04 on, the kernel heap,
        # which holds every thread's stacks, lies above it.
        self.image_end = image_end
        # Stages 02 and 03 have no frame allocator: their heap is an array in the image's .bss
        # (heap_arena.cpp: g_arena), [start, end), and their thread stacks are in it.
        self.heap_in_image = heap_in_image

    def has_function(self, prefix: str) -> bool:
        """Whether the kernel has a function whose (demangled) name starts with prefix."""
        return any(s.name.startswith(prefix) for s in self.symbols)

    @classmethod
    def from_elf(cls, path: Path) -> SymbolTable:
        return cls(*_read_elf(Path(path).read_bytes(), str(path)))

    def is_code(self, address: int) -> bool:
        return any(start <= address < end for start, end in self.text)

    def lookup(self, address: int) -> str | None:
        """'name+0xoff' for an address inside the code, else None.

        The nearest symbol at or below the address is used even when its recorded size ends
        before it: assembly entry points often have no size, and a name a little off is far
        more use to a student than no name.
        """
        if not self.is_code(address):
            return None
        at = bisect.bisect_right(self._starts, address) - 1
        if at < 0:
            return None
        at = bisect.bisect_left(self._starts, self._starts[at])  # the first name at that address
        sym = self.symbols[at]
        offset = address - sym.address
        return sym.name if offset == 0 else f"{sym.name}+{offset:#x}"


def _read_elf(data: bytes, where: str) -> tuple[list[Symbol], list[tuple[int, int]], dict[str, int], int | None,
                                                tuple[int, int] | None]:
    if data[:4] != b"\x7fELF":
        raise SymbolError(f"{where} is not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise SymbolError(f"{where} is not a 64-bit little-endian ELF file")
    try:
        # e_shoff, e_shentsize, e_shnum: where the section header table is and how it is laid out.
        (shoff,) = struct.unpack_from("<Q", data, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", data, 0x3a)
        sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
        # Each: name, type, flags, addr, offset, size, link, info, addralign, entsize.
        code_sections = {i for i, s in enumerate(sections) if s[2] & SHF_EXECINSTR and s[2] & SHF_ALLOC}
        text = [(sections[i][3], sections[i][3] + sections[i][5]) for i in code_sections]
        symtab = next((s for s in sections if s[1] == SHT_SYMTAB), None)
        if symtab is None:
            raise SymbolError(f"{where} has no symbol table (was it stripped?)")
        strtab = sections[symtab[6]]
        strings = data[strtab[4]:strtab[4] + strtab[5]]
        symbols = []
        guards: dict[str, int] = {}
        image_end: int | None = None
        arena: tuple[int, int] | None = None
        entsize = symtab[9] or 24
        for at in range(symtab[4], symtab[4] + symtab[5], entsize):
            name_at, info, _other, shndx, value, size = struct.unpack_from("<IBBHQQ", data, at)
            kind = info & 0xf
            if name_at == 0 or shndx == SHN_UNDEF or shndx >= SHN_LORESERVE or kind == STT_FILE:
                continue
            name = strings[name_at:strings.index(b"\0", name_at)].decode("utf-8", errors="replace")
            if name.endswith("_guard"):
                guards[name] = value
            if name == "_image_end":
                image_end = value
            if kind == STT_OBJECT and "7g_arenaE" in name and size:  # kernel::heap::{anon}::g_arena
                arena = (value, value + size)
            # Only names of code: data objects and section symbols would name an address after
            # whatever happened to be in front of it.
            if kind in (STT_OBJECT, STT_SECTION) or shndx not in code_sections:
                continue
            if name.startswith(".L"):
                continue  # the assembler's local labels: not names a person wrote
            symbols.append(Symbol(value, size, name, kind == STT_FUNC))
    except (struct.error, IndexError, ValueError) as exc:
        raise SymbolError(f"{where}: damaged ELF file ({exc})") from None
    return _demangled(symbols), text, guards, image_end, arena


def _demangled(symbols: list[Symbol]) -> list[Symbol]:
    """The same symbols with C++ names demangled, when c++filt is there; else unchanged."""
    mangled = [s for s in symbols if s.name.startswith("_Z")]
    tool = shutil.which("c++filt")
    if not mangled or tool is None:
        return symbols
    try:
        # One c++filt for all names (one per line, in order): thousands of processes would not do.
        proc = subprocess.run([tool], input="\n".join(s.name for s in mangled) + "\n",
                              capture_output=True, text=True, timeout=20, check=True)
    except (OSError, subprocess.SubprocessError):
        return symbols
    names = proc.stdout.splitlines()
    if len(names) != len(mangled):
        return symbols
    plain = {s.name: n for s, n in zip(mangled, names)}
    return [Symbol(s.address, s.size, plain.get(s.name, s.name), s.function) for s in symbols]
