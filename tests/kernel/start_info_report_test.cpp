// kernel::report_start_info and kernel::describe_sif_flags: the boot banner's start_info lines.
#include "start_info_report.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

void string_sink(void* ctx, const char* text, size_t length) { static_cast<std::string*>(ctx)->append(text, length); }

std::vector<std::string> Lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t nl = text.find('\n', start);
        if (nl == std::string::npos) {
            lines.push_back(text.substr(start));
            break;
        }
        lines.push_back(text.substr(start, nl - start));
        start = nl + 1;
    }
    return lines;
}

// The single line of the report whose first word (after the indentation) is `field`.
std::string Field(const std::vector<std::string>& lines, const std::string& field) {
    std::string found;
    int hits = 0;
    for (const auto& l : lines) {
        size_t b = l.find_first_not_of(' ');
        if (b != std::string::npos && l.compare(b, field.size() + 1, field + " ") == 0) {
            found = l;
            ++hits;
        }
    }
    EXPECT_EQ(hits, 1) << "lines for field " << field;
    return found;
}

void SetString(char* dst, size_t cap, const char* s) {
    memset(dst, 0, cap);
    memcpy(dst, s, strlen(s));
}

void SetCmdline(start_info& si, const char* s) {
    memset(si.cmd_line, 0, sizeof si.cmd_line);
    memcpy(si.cmd_line, s, strlen(s));
}

// A start_info like the one Xen hands a 128 MiB unprivileged PV guest.
start_info Sample() {
    start_info si;
    memset(&si, 0, sizeof si);
    SetString(si.magic, sizeof si.magic, "xen-3.0-x86_64");
    si.nr_pages = 32768;  // 128 MiB
    si.shared_info = 0x8f3a5000;
    si.flags = 0;
    si.store_mfn = 0x12345;
    si.store_evtchn = 1;
    si.console.domU.mfn = 0x12346;
    si.console.domU.evtchn = 2;
    si.pt_base = 0x80d000;
    si.nr_pt_frames = 6;
    si.mfn_list = 0x7cd000;
    si.mod_start = 0;
    si.mod_len = 0;
    SetCmdline(si, "selftest=ring loglevel=7");
    return si;
}

std::string Report(const start_info& si) {
    std::string out;
    kernel::report_start_info(si, string_sink, &out);
    return out;
}

TEST(StartInfoReport, OneLinePerFieldEachTerminated) {
    std::string out = Report(Sample());
    ASSERT_FALSE(out.empty());
    EXPECT_EQ(out.back(), '\n');
    auto lines = Lines(out);
    EXPECT_EQ(lines.front(), "start_info:");
    for (const char* field : {"magic", "nr_pages", "shared_info", "flags", "store", "console", "pt_base",
                              "mfn_list", "module", "cmd_line"}) {
        EXPECT_FALSE(Field(lines, field).empty()) << field;
    }
    for (size_t i = 1; i < lines.size(); ++i) EXPECT_EQ(lines[i].rfind("  ", 0), 0u) << "not indented: " << lines[i];
}

TEST(StartInfoReport, Magic) {
    auto lines = Lines(Report(Sample()));
    EXPECT_NE(Field(lines, "magic").find(" xen-3.0-x86_64"), std::string::npos);
}

TEST(StartInfoReport, MagicFillingAllBytesIsNotOverrun) {
    start_info si = Sample();
    memset(si.magic, 'm', sizeof si.magic);  // no terminating NUL
    si.nr_pages = 0x7777;                    // the bytes after magic: must not leak into the line
    auto line = Field(Lines(Report(si)), "magic");
    EXPECT_NE(line.find(" " + std::string(sizeof si.magic, 'm')), std::string::npos);
    EXPECT_EQ(line.find(std::string(sizeof si.magic + 1, 'm')), std::string::npos);
    EXPECT_EQ(line.substr(line.size() - sizeof si.magic), std::string(sizeof si.magic, 'm'));
}

TEST(StartInfoReport, PagesAndMebibytes) {
    auto line = Field(Lines(Report(Sample())), "nr_pages");
    EXPECT_NE(line.find(" 32768 "), std::string::npos) << line;
    EXPECT_NE(line.find("(128 MiB"), std::string::npos) << line;
}

TEST(StartInfoReport, MebibytesRoundDown) {
    start_info si = Sample();
    si.nr_pages = 255;
    EXPECT_NE(Field(Lines(Report(si)), "nr_pages").find(" 255 (0 MiB"), std::string::npos);
    si.nr_pages = 257;
    EXPECT_NE(Field(Lines(Report(si)), "nr_pages").find(" 257 (1 MiB"), std::string::npos);
    si.nr_pages = 0x100000;  // 4 GiB: needs more than 32 bits of bytes
    EXPECT_NE(Field(Lines(Report(si)), "nr_pages").find(" 1048576 (4096 MiB"), std::string::npos);
}

TEST(StartInfoReport, SharedInfoIsAMachineAddress) {
    auto line = Field(Lines(Report(Sample())), "shared_info");
    EXPECT_NE(line.find("maddr 0x8f3a5000"), std::string::npos) << line;
}

TEST(StartInfoReport, LargeMachineAddressKeepsAllBits) {
    start_info si = Sample();
    si.shared_info = 0x123456789000UL;
    EXPECT_NE(Field(Lines(Report(si)), "shared_info").find("maddr 0x123456789000"), std::string::npos);
}

TEST(StartInfoReport, StoreAndConsoleFramesAndEventChannels) {
    auto lines = Lines(Report(Sample()));
    std::string store = Field(lines, "store");
    EXPECT_NE(store.find("mfn 0x12345"), std::string::npos) << store;
    EXPECT_NE(store.find("evtchn 1"), std::string::npos) << store;
    std::string console = Field(lines, "console");
    EXPECT_NE(console.find("mfn 0x12346"), std::string::npos) << console;
    EXPECT_NE(console.find("evtchn 2"), std::string::npos) << console;
}

TEST(StartInfoReport, LargeMfnsAndEventChannels) {
    start_info si = Sample();
    si.store_mfn = 0xfedcba987ULL;
    si.store_evtchn = 4000000000u;
    si.console.domU.mfn = 0x1ffffffffULL;
    si.console.domU.evtchn = 0;
    auto lines = Lines(Report(si));
    EXPECT_NE(Field(lines, "store").find("mfn 0xfedcba987, evtchn 4000000000"), std::string::npos);
    EXPECT_NE(Field(lines, "console").find("mfn 0x1ffffffff, evtchn 0"), std::string::npos);
}

TEST(StartInfoReport, PageTablesAndMfnListAreVirtualAddresses) {
    auto lines = Lines(Report(Sample()));
    std::string pt = Field(lines, "pt_base");
    EXPECT_NE(pt.find("vaddr 0x80d000"), std::string::npos) << pt;
    EXPECT_NE(pt.find("(6 "), std::string::npos) << pt;
    std::string mfn_list = Field(lines, "mfn_list");
    EXPECT_NE(mfn_list.find("vaddr 0x7cd000"), std::string::npos) << mfn_list;
    EXPECT_NE(mfn_list.find("32768 pages"), std::string::npos) << mfn_list;
}

TEST(StartInfoReport, ModuleLength) {
    start_info si = Sample();
    EXPECT_NE(Field(Lines(Report(si)), "module").find(" 0 bytes"), std::string::npos);
    si.mod_len = 123456;
    EXPECT_NE(Field(Lines(Report(si)), "module").find(" 123456 bytes"), std::string::npos);
}

TEST(StartInfoReport, CommandLineIsQuoted) {
    auto line = Field(Lines(Report(Sample())), "cmd_line");
    EXPECT_NE(line.find("\"selftest=ring loglevel=7\""), std::string::npos) << line;
}

TEST(StartInfoReport, EmptyCommandLine) {
    start_info si = Sample();
    SetCmdline(si, "");
    auto line = Field(Lines(Report(si)), "cmd_line");
    EXPECT_EQ(line.substr(line.size() - 2), "\"\"") << line;
}

TEST(StartInfoReport, CommandLineFillingTheWholeArrayIsNotOverrun) {
    start_info si = Sample();
    memset(si.cmd_line, 'c', sizeof si.cmd_line);  // MAX_GUEST_CMDLINE bytes, no NUL
    si.first_p2m_pfn = 0x6464646464646464UL;       // "dddddddd" right after the array
    auto line = Field(Lines(Report(si)), "cmd_line");
    ASSERT_NE(line.find('"'), std::string::npos) << line;
    EXPECT_EQ(line.substr(line.find('"')), "\"" + std::string(MAX_GUEST_CMDLINE, 'c') + "\"")
        << "the value must be exactly the array's bytes: nothing from after it";
}

TEST(StartInfoReport, FlagsInHexAndWords) {
    start_info si = Sample();
    EXPECT_NE(Field(Lines(Report(si)), "flags").find("0x0 (none)"), std::string::npos);
    si.flags = SIF_PRIVILEGED | SIF_INITDOMAIN;
    auto line = Field(Lines(Report(si)), "flags");
    EXPECT_NE(line.find("0x3 (privileged initdomain)"), std::string::npos) << line;
}

TEST(StartInfoReport, AllFlagBitsFitTheLine) {
    start_info si = Sample();
    si.flags = 0xffffffffu;
    auto line = Field(Lines(Report(si)), "flags");
    EXPECT_NE(line.find("0xffffffff (privileged initdomain multiboot-module mod-start-pfn virt-p2m "
                        "unknown(0xffffffe0))"),
              std::string::npos)
        << line;
}

// --- describe_sif_flags ---------------------------------------------------------------------

std::string Flags(uint32_t flags, size_t size = 128) {
    std::vector<char> buf(size + 8, 'X');
    kernel::describe_sif_flags(flags, buf.data(), size);
    for (size_t i = size; i < buf.size(); ++i) EXPECT_EQ(buf[i], 'X') << "written past size at " << i;
    if (size == 0) return "<untouched>";
    EXPECT_NE(memchr(buf.data(), '\0', size), nullptr) << "not terminated";
    return buf.data();
}

TEST(SifFlags, None) { EXPECT_EQ(Flags(0), "none"); }

TEST(SifFlags, EachKnownFlag) {
    EXPECT_EQ(Flags(SIF_PRIVILEGED), "privileged");
    EXPECT_EQ(Flags(SIF_INITDOMAIN), "initdomain");
    EXPECT_EQ(Flags(SIF_MULTIBOOT_MOD), "multiboot-module");
    EXPECT_EQ(Flags(SIF_MOD_START_PFN), "mod-start-pfn");
    EXPECT_EQ(Flags(SIF_VIRT_P2M_4TOOLS), "virt-p2m");
}

TEST(SifFlags, CombinationsAreSpaceSeparatedInBitOrder) {
    EXPECT_EQ(Flags(SIF_PRIVILEGED | SIF_INITDOMAIN), "privileged initdomain");
    EXPECT_EQ(Flags(SIF_INITDOMAIN | SIF_VIRT_P2M_4TOOLS), "initdomain virt-p2m");
    EXPECT_EQ(Flags(SIF_PRIVILEGED | SIF_INITDOMAIN | SIF_MULTIBOOT_MOD | SIF_MOD_START_PFN | SIF_VIRT_P2M_4TOOLS),
              "privileged initdomain multiboot-module mod-start-pfn virt-p2m");
}

TEST(SifFlags, UnknownBits) {
    EXPECT_EQ(Flags(0x100), "unknown(0x100)");  // SIF_PM_MASK is not described
    EXPECT_EQ(Flags(0x80000000u), "unknown(0x80000000)");
    EXPECT_EQ(Flags(SIF_PRIVILEGED | 0x40u | 0x80000000u), "privileged unknown(0x80000040)");
    EXPECT_EQ(Flags(0xffffffffu), "privileged initdomain multiboot-module mod-start-pfn virt-p2m unknown(0xffffffe0)");
}

TEST(SifFlags, ZeroSizeBufferIsLeftAlone) {
    EXPECT_EQ(Flags(0, 0), "<untouched>");
    EXPECT_EQ(Flags(SIF_PRIVILEGED | 0x100, 0), "<untouched>");
}

TEST(SifFlags, SmallBufferHoldsAPrefixOfTheFullText) {
    const uint32_t cases[] = {0, SIF_PRIVILEGED, SIF_PRIVILEGED | SIF_INITDOMAIN, SIF_INITDOMAIN | 0x300,
                              0xffffffffu};
    for (uint32_t flags : cases) {
        const std::string full = Flags(flags);
        for (size_t size = 1; size <= full.size() + 2; ++size) {
            size_t keep = size - 1 < full.size() ? size - 1 : full.size();
            EXPECT_EQ(Flags(flags, size), full.substr(0, keep)) << "flags 0x" << std::hex << flags << " size "
                                                                 << std::dec << size;
        }
    }
}

}  // namespace
