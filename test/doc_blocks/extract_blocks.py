#!/usr/bin/env python3
"""Turns the C++ blocks of a Markdown page into one translation unit, so that the build
compiles every example the documentation shows.

    extract_blocks.py PAGE.md OUT.cpp NAME

Every block fenced as ```cpp goes into OUT.cpp, in order, inside `namespace doc_NAME` (one
namespace per page: a later block may use what an earlier one declared). Each block is
therefore namespace-scope code: declarations, functions, even an `int main()`, which in a
namespace is an ordinary function. Its `#include` lines move to the top of the file; every
page gets `#include <eddy/eddy.hpp>` and `std::chrono_literals`. `#line` directives point
compiler messages at the page's own lines. A block fenced with another spelling of C++
(c++, cxx, cc, hpp, cpp20, {.cpp}, ...) is an error, so that no example escapes the
compiler by its fence. A block ends at a line of only fence characters, at least as many
as opened it (CommonMark's rule).
"""
import os
import re
import sys

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})[ \t]*(?P<lang>[^\s`]*)")
LOOKS_LIKE_CXX = re.compile(r"c\+\+|cpp|cxx|hpp|h\+\+|^cc$", re.IGNORECASE)


def cpp_blocks(lines, page):
    """Yields (first line number, lines) for every ```cpp block of the page."""
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        lang = m.group("lang")
        if lang != "cpp" and LOOKS_LIKE_CXX.search(lang):
            sys.exit(f"{page}:{i + 1}: fence the C++ block as ```cpp so that it is compiled")
        indent, ticks = len(m.group("indent")), m.group("ticks")
        closing = re.compile(rf"^[ \t]*{re.escape(ticks[0])}{{{len(ticks)},}}[ \t]*$")
        end = i + 1
        while end < len(lines) and not closing.match(lines[end]):
            end += 1
        if end == len(lines):
            sys.exit(f"{page}:{i + 1}: the block is not closed")
        if lang == "cpp":
            yield i + 2, [line[indent:] if line[:indent].strip() == "" else line
                          for line in lines[i + 1:end]]
        i = end + 1


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    page, out, name = sys.argv[1:]
    with open(page, encoding="utf-8") as f:
        lines = f.read().split("\n")
    includes, body, count = ["#include <eddy/eddy.hpp>"], [], 0
    for first, block in cpp_blocks(lines, page):
        count += 1
        body.append(f'#line {first} "{page}"')
        for line in block:
            if line.lstrip().startswith("#include"):
                if line.strip() not in includes:
                    includes.append(line.strip())
                body.append("")  # keeps the #line numbering right
            else:
                body.append(line)
    if count == 0:
        sys.exit(f"{page}: no ```cpp block to compile")
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"// Generated from {os.path.abspath(page)}: its {count} C++ blocks, in order.\n")
        f.write("\n".join(includes) + "\n\n")
        f.write(f"namespace doc_{name} {{\nusing namespace std::chrono_literals;\n")
        f.write("\n".join(body) + "\n")
        f.write(f"}} // namespace doc_{name}\n")


if __name__ == "__main__":
    main()
