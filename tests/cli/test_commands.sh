#!/bin/bash
# test_commands.sh: rm, mv, info, check, passphrase add/list/change/remove,
# rekey, and a second writer while a first holds the lock.
. "$(dirname "$0")/lib.sh"

mkvault v
printf 'alpha\n' > a.txt
printf 'beta\n' > b.txt
randfile c.bin 200000
ok sq add v a.txt b.txt c.bin "$P"

# --- info --------------------------------------------------------------------
ok sq info v --json "$P" > info.json
is "info --json fields" python3 -c '
import json
i = json.load(open("info.json"))
keys = ["file_bytes", "committed_bytes", "free_bytes", "documents", "content_bytes",
        "generation", "fingerprint", "kdf", "growable", "level", "format_version",
        "ways_in", "created"]
assert sorted(i) == sorted(keys), sorted(i)
assert i["documents"] == 3, i
assert i["content_bytes"] == 6 + 5 + 200000, i
assert i["kdf"] == "test" and i["growable"] is True and i["ways_in"] == 1, i
assert len(i["fingerprint"]) == 32 and int(i["fingerprint"], 16) >= 0, i
assert i["created"].endswith("Z"), i
assert i["committed_bytes"] <= i["file_bytes"], i
'
gen1=$(python3 -c 'import json; print(json.load(open("info.json"))["generation"])')
ok sq info v "$P" > info.txt
is "plain info shows the fingerprint" grep -q fingerprint info.txt

# --- check ---------------------------------------------------------------------
ok sq check v "$P" > check.txt
ok sq check v --json "$P" > check.json
is "check --json ok" python3 -c '
import json
r = json.load(open("check.json"))
assert r["ok"] is True and r["errors"] == [], r
assert isinstance(r["warnings"], list)
'

# --- rm --------------------------------------------------------------------------
ok sq rm v b.txt "$P"
fails 1 sq get v b.txt -o b.out "$P"
says "no document named 'b.txt'"
absent b.out
is "rm: ls lacks it" test "$(sq ls v --json "$P" | python3 -c 'import json,sys; print(" ".join(d["name"] for d in json.load(sys.stdin)))')" = "a.txt c.bin"
fails 1 sq rm v b.txt "$P"
ok sq get v c.bin -o c.out "$P"
same c.bin c.out
ok sq check v "$P" > /dev/null
ok sq info v --json "$P" > info2.json
is "generation grows" python3 -c '
import json, sys
assert json.load(open("info2.json"))["generation"] > int(sys.argv[1])' "$gen1"

# --- mv ----------------------------------------------------------------------------
ok sq mv v a.txt "renamed/alpha.txt" "$P"
fails 1 sq get v a.txt "$P"
ok sq get v renamed/alpha.txt -o alpha.out "$P"
same a.txt alpha.out
is "sha256 survives mv" test "$(json_field v renamed/alpha.txt sha256)" = "$(sha a.txt)"
fails 1 sq mv v renamed/alpha.txt C.BIN "$P"
says "already exists"
fails 1 sq mv v no-such x "$P"
fails 1 sq mv v c.bin "../escape" "$P"
fails 2 sq mv v c.bin "$P"

# --- passphrases ----------------------------------------------------------------------
printf 'second passphrase\n' > pw2
printf 'third passphrase\n' > pw3
printf 'changed passphrase\n' > pwc
ok sq passphrase add v --label "laptop of B" --new-passphrase-file pw2 "$P" > padd.out
ok sq ls v --passphrase-file pw2 > /dev/null
ok sq passphrase list v "$P" > plist.txt
is "list shows the label" grep -q "laptop of B" plist.txt
is "list shows two ways in" test "$(grep -c '^slot' plist.txt)" = 2
ok sq passphrase list v --json "$P" > plist.json
is "passphrase list --json" python3 -c '
import json
w = json.load(open("plist.json"))
assert len(w) == 2 and sum(1 for x in w if x["current"]) == 1, w
assert any(x["label"] == "laptop of B" for x in w), w
'
fails 2 sq passphrase list v --slot 3 "$P"

# change the second one: the old second passphrase stops working
ok sq passphrase change v --passphrase-file pw2 --new-passphrase-file pwc
says "run 'sandyq rekey' to make them useless"
fails 1 sq ls v --passphrase-file pw2
ok sq ls v --passphrase-file pwc > /dev/null
ok sq ls v "$P" > /dev/null

# remove the way in used to open (no --slot)
ok sq passphrase remove v --passphrase-file pwc
says_line "sandyq: hint: copies of the vault taken earlier still open with the old passphrase; run 'sandyq rekey' to make them useless"
fails 1 sq ls v --passphrase-file pwc
ok sq ls v "$P" > /dev/null
# removing the last way in is refused
fails 1 sq passphrase remove v "$P"
says "last way in"
ok sq ls v "$P" > /dev/null

# remove by --slot
ok sq passphrase add v --new-passphrase-file pw3 "$P" > padd3.out
slot=$(sq passphrase list v --json "$P" | python3 -c 'import json,sys; print([x["slot"] for x in json.load(sys.stdin) if not x["current"]][0])')
ok sq passphrase remove v --slot "$slot" "$P"
fails 1 sq ls v --passphrase-file pw3
fails 1 sq passphrase remove v --slot "$slot" "$P"

# a new passphrase from a descriptor; an empty one refused
ok sq passphrase add v --new-passphrase-fd 4 "$P" 4< pw2 > /dev/null
ok sq ls v --passphrase-file pw2 > /dev/null
: > emptypw
fails 2 sq passphrase add v --new-passphrase-file emptypw "$P"

# --- rekey ------------------------------------------------------------------------------
# ways in now: $PW and pw2. Keep pw2 explicitly, then rekey with only $PW.
ok sq passphrase add v --new-passphrase-file pw3 "$P" > /dev/null
cp v v.before-rekey
ok sq rekey v --keep-passphrase-file pw2 "$P"
ok sq ls v --passphrase-file pw2 > /dev/null
ok sq ls v "$P" > /dev/null
fails 1 sq ls v --passphrase-file pw3
ok sq get v c.bin -o c2.out "$P"
same c.bin c2.out
ok sq check v "$P" > /dev/null
# a kept passphrase that does not open the vault is refused, nothing changes
fails 1 sq rekey v --keep-passphrase-file pw3 "$P"
ok sq ls v --passphrase-file pw2 > /dev/null
ok sq rekey v "$P"
fails 1 sq ls v --passphrase-file pw2
ok sq ls v "$P" > /dev/null
ok sq get v renamed/alpha.txt -o alpha2.out "$P"
same a.txt alpha2.out
# the copy taken before still opens with its old passphrases: that is why
# rekey exists, and why remove/change say so
ok sq ls v.before-rekey --passphrase-file pw3 > /dev/null

# --- a second writer gets a clear error while a first holds the lock --------------------------
mkfifo slow
"$SANDYQ" add v - --as slow.txt "$P" < slow 2> bg.err &
bgpid=$!
exec 5> slow               # the background add opens the vault, then waits for data
# watch /proc/locks for its exclusive flock on the vault's inode; probing
# with flock(1) would take a lock itself and could make the add fail
inode=$(stat -c %i v)
held=0
for _ in $(seq 1 100); do
    if grep -qE "FLOCK +ADVISORY +WRITE +$bgpid +[0-9a-f]+:[0-9a-f]+:$inode " /proc/locks 2>/dev/null; then
        held=1
        break
    fi
    sleep 0.1
done
if [ "$held" = 0 ]; then cat bg.err >&2; fi
is "the first writer holds the lock" test "$held" = 1
fails 1 sq add v c.bin --as other.bin "$P"
says "vault is in use by another sandyq process"
fails 1 sq ls v "$P"
says "in use"
# in a subshell: if the add died, SIGPIPE ends only the subshell
(printf 'slow data\n' >&5) 2>/dev/null
exec 5>&-
rc=0
wait "$bgpid" || rc=$?
is "the first writer finishes" test "$rc" = 0
is "the first writer's document is there" has_doc v slow.txt
is "the second writer's document is not" test "$(has_doc v other.bin && echo yes)" = ""
ok sq check v "$P" > /dev/null
