#!/usr/bin/env bash
# Measures every performance target of docs/PERFORMANCE.md on this machine
# and prints each figure beside its target. Takes about 15 minutes on 2
# cores, most of it the 1,000-run sweep. Run from the repository root:
#
#     bash analysis/bench/targets.sh            # everything
#     SKIP_SWEEP=1 bash analysis/bench/targets.sh
#
# Timings on a shared machine wander by 10-20% from one run to the next, so
# each speed is the median of several measurements.
set -euo pipefail
cargo build --release --quiet
ludd=target/release/ludd
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

speed() { # agent-steps/s of one `ludd bench`
    "$ludd" bench "$@" | awk 'NR == 1 {print $(NF - 1)}'
}
peak() { awk '/peak resident memory/ {print $4, $6}' "$out/last.log"; }

# One thread and two alternate, five pairs per size, so that the machine's
# drift (10-20% over minutes here) falls on both alike; the ratio is the
# median of the five pairs' ratios.
echo "== llm, 40 steps, 5 pairs of 1 and 2 threads =="
for n in 100000 1000000; do
    ones=(); twos=()
    for _ in 1 2 3 4 5; do
        ones+=("$(speed llm --workers "$n" --steps 40 --threads 1)")
        twos+=("$(speed llm --workers "$n" --steps 40 --threads 2)")
    done
    read -r one two ratio < <(python3 - "${ones[@]}" "${twos[@]}" <<'PY'
import statistics, sys
v = list(map(float, sys.argv[1:]))
ones, twos = v[:5], v[5:]
print(f"{statistics.median(ones):.3e} {statistics.median(twos):.3e} "
      f"{statistics.median(t / o for o, t in zip(ones, twos)):.2f}")
PY
)
    echo "$n workers: 1 thread $one, 2 threads $two agent-steps/s (medians); 2 over 1: $ratio (median of pairs)"
    eval "speed_${n}_1=$one; speed_${n}_2=$two; ratio_${n}=$ratio"
done
"$ludd" bench llm --workers 10000000 --steps 40 --repeat 3 > "$out/last.log"
speed_10m=$(awk '/repeats: median/ {print $4}' "$out/last.log")
read -r mib bytes < <(peak)
echo "10000000 workers, 2 threads: $speed_10m agent-steps/s, peak $mib MiB, $bytes bytes per worker"

python3 - "$speed_1000000_2" "$ratio_1000000" "$speed_100000_2" "$speed_10m" "$mib" "$bytes" <<'PY'
import sys
s1m2, ratio, s100k, s10m, mib, per = map(float, sys.argv[1:])
rows = [
    ("full step, llm, 1M workers", f"{s1m2:.3g} agent-steps/s", ">= 2e7", s1m2 >= 2e7),
    ("2 threads over 1 (1M workers)", f"{ratio:.2f}x", ">= 1.7x", ratio >= 1.7),
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
