// Book: chapter 01-link (book/stages/01-link.md).
#include "start_info_report.hpp"

namespace kernel {

void describe_sif_flags(uint32_t flags, char* buf, size_t size) {
    // xen/include/public/xen.h: SIF_*
    static constexpr struct {
        uint32_t bit;
        const char* name;
    } kFlags[] = {
        {SIF_PRIVILEGED, "privileged"},          {SIF_INITDOMAIN, "initdomain"},
        {SIF_MULTIBOOT_MOD, "multiboot-module"}, {SIF_MOD_START_PFN, "mod-start-pfn"},
        {SIF_VIRT_P2M_4TOOLS, "virt-p2m"},
    };
    size_t used = 0;
    if (size == 0) return;
    // Where the next word goes: never past the end of buf, even once the text no longer fits.
    auto at = [&] { return used < size ? buf + used : buf + size - 1; };
    auto room = [&] { return used < size ? size - used : size_t{1}; };
    buf[0] = '\0';
    uint32_t known = 0;
    for (const auto& f : kFlags) {
        known |= f.bit;
        if (flags & f.bit) used += snformat(at(), room(), "%s%s", used ? " " : "", f.name);
    }
    if (flags & ~known) used += snformat(at(), room(), "%sunknown(0x%x)", used ? " " : "", flags & ~known);
    if (used == 0) snformat(buf, size, "none");
}

void report_start_info(const start_info& si, Sink sink, void* ctx) {
    char magic[sizeof si.magic + 1];
    for (size_t i = 0; i < sizeof si.magic; ++i) magic[i] = si.magic[i];
    magic[sizeof si.magic] = '\0';
    char flags[96];
    describe_sif_flags(si.flags, flags, sizeof flags);
    char cmdline[MAX_GUEST_CMDLINE + 1];
    size_t i = 0;
    for (; i < MAX_GUEST_CMDLINE && si.cmd_line[i]; ++i) cmdline[i] = static_cast<char>(si.cmd_line[i]);
    cmdline[i] = '\0';

    format(sink, ctx, "start_info:\n");
    format(sink, ctx, "  magic         %s\n", magic);
    format(sink, ctx, "  nr_pages      %lu (%lu MiB of pseudo-physical memory)\n", si.nr_pages, si.nr_pages / 256);
    format(sink, ctx, "  shared_info   maddr 0x%lx\n", si.shared_info);
    format(sink, ctx, "  flags         0x%x (%s)\n", si.flags, flags);
    format(sink, ctx, "  store         mfn 0x%lx, evtchn %u\n", static_cast<unsigned long>(si.store_mfn), si.store_evtchn);
    format(sink, ctx, "  console       mfn 0x%lx, evtchn %u\n", static_cast<unsigned long>(si.console.domU.mfn),
           si.console.domU.evtchn);
    format(sink, ctx, "  pt_base       vaddr 0x%lx (%lu bootstrap page-table frames)\n", si.pt_base, si.nr_pt_frames);
    format(sink, ctx, "  mfn_list      vaddr 0x%lx (pfn -> mfn for %lu pages)\n", si.mfn_list, si.nr_pages);
    format(sink, ctx, "  module        %lu bytes\n", si.mod_len);
    format(sink, ctx, "  cmd_line      \"%s\"\n", cmdline);
}

}  // namespace kernel
