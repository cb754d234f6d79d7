// The kernel image's TLS template, from symbols the linker script defines.  Kept apart from
// tls.cpp so the layout arithmetic can be tested on the host.
// Book: chapter 03-tls (book/stages/03-tls.md).
#include "tls.hpp"

// Absolute symbols (linker.ld): their address is the value.  A symbol inside .tdata would
// itself be a TLS symbol, so the start is exported as an absolute address too.
extern "C" char _tdata_start[], _tdata_size[], _tbss_size[], _tls_align[];

namespace kernel::tls {

Template image_template() {
    return Template{_tdata_start, reinterpret_cast<size_t>(_tdata_size), reinterpret_cast<size_t>(_tbss_size),
                    reinterpret_cast<size_t>(_tls_align)};
}

}  // namespace kernel::tls
