#!/usr/bin/env python3
"""Checks that no C++ example of the README or the guide escapes the compiler (the compiler
notes' fragments of miscompiled code are not examples: their programs are test/compiler/).

    check_pages.py SOURCE_ROOT GENERATED_DIR

Every page with a ```cpp block (README.md and docs/guide/*.md) must be listed in
test/doc_blocks/meson.build, whose build turns it into GENERATED_DIR/NAME.cpp (see
extract_blocks.py); this finds a page that is not, or whose generated file is out of date
(it holds another number of blocks than the page has now).
"""
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from extract_blocks import cpp_blocks  # noqa: E402

HEADER = re.compile(r"^// Generated from (?P<page>.+): its (?P<count>\d+) C\+\+ blocks")


def main():
    root, generated = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    compiled = {}
    for cpp in generated.glob("*.cpp"):
        m = HEADER.match(cpp.read_text(encoding="utf-8").split("\n", 1)[0])
        if m:
            compiled[pathlib.Path(m.group("page")).resolve()] = int(m.group("count"))
    pages = [root / "README.md"] + sorted((root / "docs" / "guide").glob("*.md"))
    failures, total = 0, 0
    for page in pages:
        lines = page.read_text(encoding="utf-8").split("\n")
        count = sum(1 for _ in cpp_blocks(lines, page.relative_to(root)))
        total += count
        if count == 0:
            continue
        have = compiled.get(page.resolve())
        if have is None:
            print(f"{page.relative_to(root)}: {count} C++ blocks, not compiled "
                  "(list the page in test/doc_blocks/meson.build)")
            failures += 1
        elif have != count:
            print(f"{page.relative_to(root)}: {count} C++ blocks, the build compiled {have}")
            failures += 1
    if failures:
        sys.exit(1)
    print(f"doc_blocks: {total} C++ blocks in {len(pages)} pages, every one compiled")


if __name__ == "__main__":
    main()
