"""Checks that every phase's contract in src/model/contracts.rs is tight.

For each phase it drops each group the contract names, and moves each group
it writes to its reads, and compiles (`cargo check --lib`) after each
change: a group that can be dropped is never used, and a write that can be
a read is never written. The contracts file is restored afterwards, also
when the script is interrupted. It takes a few minutes (one compile per
change).

    python analysis/checks/contracts.py
"""

import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "src" / "model" / "contracts.rs"
BLOCK = re.compile(
    r"    (\w+): (\w+) \{\n        reads \{ ([^}]*) \}\n        writes \{ ([^}]*) \}"
)


def groups(text):
    return [g.strip() for g in text.split(",") if g.strip()]


def block(phase, view, reads, writes):
    return (
        f"    {phase}: {view} {{\n"
        f"        reads {{ {', '.join(reads)} }}\n"
        f"        writes {{ {', '.join(writes)} }}"
    )


def compiles(source):
    CONTRACTS.write_text(source)
    done = subprocess.run(
        ["cargo", "check", "--lib", "--quiet"], cwd=ROOT, capture_output=True
    )
    return done.returncode == 0


def main():
    original = CONTRACTS.read_text()
    loose = []
    try:
        for phase, view, reads_text, writes_text in BLOCK.findall(original):
            reads, writes = groups(reads_text), groups(writes_text)
            here = block(phase, view, reads, writes)
            for g in reads + writes:
                fewer = block(
                    phase,
                    view,
                    [x for x in reads if x != g],
                    [x for x in writes if x != g],
                )
                if compiles(original.replace(here, fewer)):
                    loose.append(f"{phase}: {g.split(':')[0]} is never used")
            for g in writes:
                weaker = block(
                    phase, view, reads + [g], [x for x in writes if x != g]
                )
                if compiles(original.replace(here, weaker)):
                    loose.append(f"{phase}: {g.split(':')[0]} is only read")
    finally:
        CONTRACTS.write_text(original)
    for line in loose:
        print(line)
    print("every contract is tight" if not loose else f"{len(loose)} loose")
    return 1 if loose else 0


if __name__ == "__main__":
    sys.exit(main())
