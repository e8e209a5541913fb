#!/usr/bin/env bash
# fuzz/long.sh: run libFuzzer targets for a budget of CPU time, not wall time,
# so a run on a busy machine still gets its full share.
#   bash fuzz/long.sh BUILD_DIR CPU_MINUTES TARGET...
# BUILD_DIR is a -DSANDYQ_FUZZ=ON build. Each target starts from its seed
# corpus (copied), runs at nice 19 until its process has used CPU_MINUTES of
# user+system time, and prints the CPU seconds, executions and any finding.
# Exit status 1 if a target crashed, leaked or timed out.
set -euo pipefail
cd "$(dirname "$0")/.."
build="$1"; minutes="$2"; shift 2
budget=$((minutes * 60))
tick="$(getconf CLK_TCK)"
status=0
for t in "$@"; do
    bin="$build/fuzz/fuzz_${t}_lf"
    work="$(mktemp -d)"; art="$(mktemp -d)"
    cp -r "fuzz/corpus/$t/." "$work/" 2>/dev/null || true
    dict=(); [ -f "fuzz/dict/$t.dict" ] && dict=(-dict="fuzz/dict/$t.dict")
    log="$art/log"
    nice -n 19 "$bin" "$work" "${dict[@]}" -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1 &
    pid=$!
    cpu=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep 5
        if [ -r "/proc/$pid/stat" ]; then
            # fields 14 and 15: utime and stime in clock ticks
            read -r ut st < <(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12, $13}') || true
            [ -n "${ut:-}" ] && cpu=$(( (ut + st) / tick ))
        fi
        if [ "$cpu" -ge "$budget" ]; then kill -INT "$pid" 2>/dev/null || true; fi
    done
    wait "$pid" && rc=0 || rc=$?
    execs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    found="$(ls "$art" | grep -E '^(crash|leak|timeout|oom)-' || true)"
    if [ -n "$found" ] || { [ "$cpu" -lt "$budget" ] && [ "$rc" -ne 0 ]; }; then
        echo "fuzz $t: FINDING after ${cpu} CPU-s (exit $rc): $found (log: $log)"
        tail -30 "$log"
        status=1
    else
        echo "fuzz $t: ${cpu} CPU-s, ${execs} executions, corpus $(ls "$work" | wc -l) files, no finding"
        rm -rf "$art"
    fi
    rm -rf "$work"
done
exit $status
