"""Checks that every phase's contract in src/model/contracts.rs is tight.

For each phase it drops each group the contract names, and moves each group
it writes to its reads, and compiles (`cargo check --lib`) after each
change: a group that can be dropped is never used, and a write that can be
a read is never written. It works on a copy of the sources in a temporary
directory (its builds in target/contracts-check), so the working tree is
never touched, whatever stops the script. It takes a few minutes (one
compile per change).

    python analysis/checks/contracts.py
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
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


def compiles(copy, source):
    """Whether the copy of the crate at `copy` compiles with `source` as
    its contracts."""
    (copy / "src" / "model" / "contracts.rs").write_text(source)
    env = dict(os.environ, CARGO_TARGET_DIR=str(ROOT / "target" / "contracts-check"))
    done = subprocess.run(
        ["cargo", "check", "--lib", "--quiet"], cwd=copy, env=env, capture_output=True
    )
    return done.returncode == 0


def main():
    original = (ROOT / "src" / "model" / "contracts.rs").read_text()
    loose = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = pathlib.Path(scratch) / "ludd"
        copy.mkdir()
        for name in ["Cargo.toml", "Cargo.lock"]:
            shutil.copy2(ROOT / name, copy / name)
        # The crate's sources, and whatever its manifest names beside them
        # (benches and tests are not built by `cargo check --lib`, but the
        # manifest must find them).
        for name in ["src", "benches", "tests", "scenarios"]:
            if (ROOT / name).exists():
                shutil.copytree(ROOT / name, copy / name)
        if not compiles(copy, original):
            print("the crate does not compile as it is; fix that first")
            return 2
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
                if compiles(copy, original.replace(here, fewer)):
                    loose.append(f"{phase}: {g.split(':')[0]} is never used")
            for g in writes:
                weaker = block(
                    phase, view, reads + [g], [x for x in writes if x != g]
                )
                if compiles(copy, original.replace(here, weaker)):
                    loose.append(f"{phase}: {g.split(':')[0]} is only read")
    for line in loose:
        print(line)
    print("every contract is tight" if not loose else f"{len(loose)} loose")
    return 1 if loose else 0


if __name__ == "__main__":
    sys.exit(main())
