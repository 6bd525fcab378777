#!/usr/bin/env bash
# Measures every performance target of docs/PERFORMANCE.md on this machine
# and prints each figure beside its target. Takes about 15 minutes on 2
# cores, most of it the 1,000-run sweep. Run from the repository root:
#
#     bash analysis/bench/targets.sh            # everything
#     SKIP_SWEEP=1 bash analysis/bench/targets.sh
#
# Timings on a shared machine wander by 10-20% from one run to the next, so
# each speed is the median of several repeats (`ludd bench --repeat`).
set -euo pipefail
cargo build --release --quiet
ludd=target/release/ludd
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

median() { # the median agent-steps/s line of `ludd bench --repeat`
    "$ludd" bench "$@" | tee -a "$out/bench.log" | awk '/repeats: median/ {print $4}'
}
peak() { awk '/peak resident memory/ {print $4, $6}' "$out/last.log"; }

echo "== llm, 40 steps, median of 5 =="
for n in 100000 1000000; do
    for t in 1 2; do
        v=$(median llm --workers "$n" --steps 40 --threads "$t" --repeat 5)
        echo "$n workers, $t threads: $v agent-steps/s"
        eval "speed_${n}_${t}=$v"
    done
done
"$ludd" bench llm --workers 10000000 --steps 40 --repeat 3 > "$out/last.log"
speed_10m=$(awk '/repeats: median/ {print $4}' "$out/last.log")
read -r mib bytes < <(peak)
echo "10000000 workers, 2 threads: $speed_10m agent-steps/s, peak $mib MiB, $bytes bytes per worker"

python3 - "$speed_1000000_2" "$speed_1000000_1" "$speed_100000_2" "$speed_10m" "$mib" "$bytes" <<'PY'
import sys
s1m2, s1m1, s100k, s10m, mib, per = map(float, sys.argv[1:])
rows = [
    ("full step, llm, 1M workers", f"{s1m2:.3g} agent-steps/s", ">= 2e7", s1m2 >= 2e7),
    ("2 threads over 1 (1M workers)", f"{s1m2 / s1m1:.2f}x", ">= 1.7x", s1m2 / s1m1 >= 1.7),
    ("10M workers, resident", f"{mib:.0f} MiB, {per:.0f} B/worker", "<= 2048 MiB, <= 200 B", mib <= 2048 and per <= 200),
    ("cost per agent-step, 10M / 100k", f"{s100k / s10m:.2f}", "<= 1.3", s100k / s10m <= 1.3),
]
for name, got, want, ok in rows:
    print(f"{name:<34} {got:<28} target {want:<22} {'met' if ok else 'MISSED'}")
PY

echo "== writing tables, share of a default run's wall time (seed 1) =="
for s in loom assembly_line pc llm; do
    "$ludd" run "$s" --out "$out/run-$s" | tail -1 | sed "s/^/$s: /"
done

if [ -z "${SKIP_SWEEP:-}" ]; then
    echo "== 1,000-run loom sweep (target: within 10 minutes) =="
    start=$(date +%s)
    "$ludd" sweep scenarios/sweeps/loom_1000.ron --out "$out/sweep" | tail -1
    echo "wall: $(( $(date +%s) - start )) s"
fi

if [ -n "${MESA_PYTHON:-}" ]; then
    echo "== Mesa's Boltzmann wealth model (yardstick) =="
    "$MESA_PYTHON" analysis/bench/boltzmann_mesa.py --agents 10000 --steps 20
    "$MESA_PYTHON" analysis/bench/boltzmann_mesa.py --agents 100000 --steps 20
fi
