#!/usr/bin/env python3
"""Checks the layer rule of docs/architecture.md ("Layers"): a folder under src/ includes its own
headers and those of folders in lower layers only, never a folder in a higher layer or a sibling in
its own layer, so that no folder cycle can come back. The layer order is read from the document
itself (the code block after "<!-- layers -->"), so the rule and its description cannot drift.
Every folder under src/ must have a place in it. Test sources (*_test.cc) are exempt: a test may
drive its code through higher layers (demo data, services), and is no part of the product.

Usage: check_layers.py [REPO]      exits 1 and names each offending include
       check_layers.py --self-test  shows that the check fails on an upward include"""
import os
import re
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"/]+)/[^"]*"', re.M)


def layer_order(doc_text):
    """{folder: rank} from the line 'core, testing → model → ...' after <!-- layers -->."""
    m = re.search(r"<!-- layers -->\s*```[a-z]*\n(.*?)\n```", doc_text, re.S)
    if not m:
        raise SystemExit("docs/architecture.md has no layer list (a code block after <!-- layers -->)")
    ranks = {}
    for rank, tier in enumerate(m.group(1).replace("\n", " ").split("→")):
        for folder in tier.replace(",", " ").split():
            ranks[folder] = rank
    return ranks


def violations(repo):
    ranks = layer_order(open(os.path.join(repo, "docs", "architecture.md"), encoding="utf-8").read())
    src = os.path.join(repo, "src")
    folders = sorted(d for d in os.listdir(src) if os.path.isdir(os.path.join(src, d)))
    problems = [f"src/{d}/ has no place in the layer order of docs/architecture.md" for d in folders if d not in ranks]
    for folder in folders:
        if folder not in ranks:
            continue
        for dirpath, _, files in os.walk(os.path.join(src, folder)):
            for name in sorted(files):
                if not name.endswith((".h", ".cc")) or name.endswith("_test.cc"):
                    continue
                path = os.path.join(dirpath, name)
                text = open(path, encoding="utf-8", errors="replace").read()
                for target in INCLUDE.findall(text):
                    if target == folder or target not in ranks:
                        continue
                    if ranks[target] >= ranks[folder]:
                        where = "a higher layer" if ranks[target] > ranks[folder] else "its own layer"
                        problems.append(f"{os.path.relpath(path, repo)} includes {target}/, {where}")
    return problems


def self_test():
    with tempfile.TemporaryDirectory() as repo:
        os.makedirs(os.path.join(repo, "docs"))
        with open(os.path.join(repo, "docs", "architecture.md"), "w") as f:
            f.write("# x\n\n<!-- layers -->\n```\ncore → model, net → page\n```\n")
        files = {
            "core/a.h": "",
            "model/m.h": '#include "core/a.h"\n',
            "net/n.cc": '#include "core/a.h"\n#include <vector>\n',
            "page/p.cc": '#include "model/m.h"\n#include "net/n.h"\n',
            "page/p_test.cc": '#include "page/p.h"\n',
        }
        for rel, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(repo, "src", rel)), exist_ok=True)
            with open(os.path.join(repo, "src", rel), "w") as f:
                f.write(text)
        assert violations(repo) == [], violations(repo)
        with open(os.path.join(repo, "src", "core", "b.cc"), "w") as f:
            f.write('#include "page/p.h"\n')  # upward
        with open(os.path.join(repo, "src", "model", "s.h"), "w") as f:
            f.write('#include "net/n.h"\n')  # sideways
        os.makedirs(os.path.join(repo, "src", "extra"))  # not placed
        found = violations(repo)
        assert any("src/core/b.cc includes page/, a higher layer" in p for p in found), found
        assert any("src/model/s.h includes net/, its own layer" in p for p in found), found
        assert any("src/extra/ has no place" in p for p in found), found
        assert len(found) == 3, found
    print("check_layers self-test: passed")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return 0
    repo = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = violations(repo)
    for p in problems:
        print(p)
    print(f"check_layers: {len(problems)} violation(s) of the layer order in docs/architecture.md")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
