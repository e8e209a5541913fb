#!/bin/bash
# test_crash.sh: kill -9 at random moments during add and rm; afterwards
# check passes (warnings allowed) and every document committed before comes
# out identical. Each run leaves the old state or the new one.
. "$(dirname "$0")/lib.sh"

ROUNDS=${SQ_CRASH_ROUNDS:-20}

mkvault v
printf 'committed before any crash\n' > base.txt
randfile base.bin 300000
ok sq add v base.txt base.bin "$P"
randfile big.bin $((50 * 1024 * 1024))
big_sha=$(sha big.bin)

# expected documents: name -> sha256
declare -A want
want[base.txt]=$(sha base.txt)
want[base.bin]=$(sha base.bin)

# verify: check passes and every expected document is intact
verify() {
    local what=$1 name got
    if ! "$SANDYQ" check v "$P" > /dev/null 2> "$SQ_ERR"; then
        fail "$what: check failed"
        return
    fi
    pass
    for name in "${!want[@]}"; do
        got=$("$SANDYQ" get v "$name" "$P" 2> "$SQ_ERR" | sha256sum | cut -d' ' -f1)
        if [ "$got" = "${want[$name]}" ]; then pass; else fail "$what: $name lost or changed"; fi
    done
}

# sleep_rand: sleep a random time in [0, 300) ms
sleep_rand() { sleep "$(rand_ms 300)"; }

add_done=0
rm_done=0

# --- kill -9 during add --------------------------------------------------------
for i in $(seq 1 "$ROUNDS"); do
    "$SANDYQ" add v big.bin --as "big$i" "$P" 2> /dev/null &
    pid=$!
    sleep_rand
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    # the add either committed (then the document must be whole) or did not
    if has_doc v "big$i"; then
        want[big$i]=$big_sha
        add_done=$((add_done + 1))
    fi
    verify "add round $i"
    # keep the vault small: remove committed big documents normally
    for name in "${!want[@]}"; do
        case $name in big*)
            if "$SANDYQ" rm v "$name" "$P" 2> "$SQ_ERR"; then unset "want[$name]"; pass
            else fail "rm $name after add round $i"; fi ;;
        esac
    done
done

# --- kill -9 during rm ------------------------------------------------------------
for i in $(seq 1 "$ROUNDS"); do
    if ! "$SANDYQ" add v big.bin --as "victim$i" "$P" 2> "$SQ_ERR"; then
        fail "add victim$i"
        continue
    fi
    want[victim$i]=$big_sha
    "$SANDYQ" rm v "victim$i" "$P" 2> /dev/null &
    pid=$!
    sleep_rand
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
    if ! has_doc v "victim$i"; then
        unset "want[victim$i]"
        rm_done=$((rm_done + 1))
    fi
    verify "rm round $i"
    if [ -n "${want[victim$i]:-}" ]; then
        if "$SANDYQ" rm v "victim$i" "$P" 2> "$SQ_ERR"; then unset "want[victim$i]"; pass
        else fail "rm victim$i after rm round $i"; fi
    fi
done

echo "kill -9 during add: $add_done of $ROUNDS had committed; during rm: $rm_done of $ROUNDS"

# a writer after all this still works, and nothing stale is left
printf 'after the crashes\n' > after.txt
ok sq add v after.txt "$P"
want[after.txt]=$(sha after.txt)
verify "final"
