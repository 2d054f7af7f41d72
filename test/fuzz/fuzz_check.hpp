// `fuzz_check`: how the fuzz targets report a broken invariant. libFuzzer keeps the input of
// any run that aborts, so a failed check prints what was expected and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace eddy_fuzz {

/// `text` with every byte outside printable ASCII written as \xHH, for a readable report.
inline std::string escaped(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
            out.push_back(c);
        } else {
            out.append("\\x");
            out.push_back(hex[byte >> 4]);
            out.push_back(hex[byte & 0xf]);
        }
    }
    return out;
}

/// Aborts with `what` and the input it concerns unless `ok`.
inline void check(bool ok, std::string_view what, std::string_view input) {
    if (ok) return;
    std::fprintf(stderr, "fuzz check failed: %.*s\n  input: \"%s\"\n",
                 static_cast<int>(what.size()), what.data(), escaped(input).c_str());
    std::abort();
}

} // namespace eddy_fuzz
