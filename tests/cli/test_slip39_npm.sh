#!/bin/bash
# test_slip39_npm.sh: differential test of `sandyq slip39` against an
# independent SLIP-0039 implementation, the `slip39` npm package (pinned by
# tests/interop/slip39-npm/package-lock.json, installed by tools/setup.sh
# with `npm ci --ignore-scripts`). Both directions over random layouts:
# shares made by the npm package recovered by `sandyq slip39 combine`, and
# shares made by `sandyq slip39 split` recovered by the npm package, with
# random K-subsets in random order, extendable flag 0/1 (npm side; sandyq
# writes 1), iteration exponents 0-2, with and without a passphrase.
. "$(dirname "$0")/lib.sh"

NPM_DIR="$SQ_SRC/tests/interop/slip39-npm"
if ! command -v node >/dev/null; then
    fail "node is not installed (tools/setup.sh installs nodejs and npm)"
    exit 1
fi
if [ ! -d "$NPM_DIR/node_modules/slip39" ]; then
    # not installed by setup (e.g. a build folder made by hand): install the
    # pinned package into a copy here
    cp "$NPM_DIR/package.json" "$NPM_DIR/package-lock.json" "$NPM_DIR/slip39-npm.js" "$SQ_TMP/"
    NPM_DIR="$SQ_TMP"
    if ! (cd "$NPM_DIR" && npm ci --ignore-scripts --no-audit --no-fund >/dev/null 2>&1); then
        fail "cannot install the pinned slip39 npm package (npm ci failed)"
        exit 1
    fi
fi
export NPM_DRIVER="$NPM_DIR/slip39-npm.js"

python3 - "$SANDYQ" <<'PY' > diff.out 2> diff.err
import json, os, random, subprocess, sys

sandyq = sys.argv[1]
driver = os.environ["NPM_DRIVER"]
rng = random.Random(int.from_bytes(os.urandom(8), "little"))
ok = bad = 0

def check(cond, what):
    global ok, bad
    if cond:
        ok += 1
    else:
        bad += 1
        print("FAIL: " + what, file=sys.stderr)

def layout():
    ngroups = rng.randint(1, 4)
    groups = []
    for _ in range(ngroups):
        n = rng.randint(1, 5)
        k = 1 if n == 1 else rng.randint(2, n) if rng.random() < 0.8 else 1
        if k == 1:
            n = 1
        groups.append([k, n])
    gt = rng.randint(1, ngroups)
    return gt, groups

def pick(groups_shares, gt, groups):
    # gt random groups, each with k random members, in random order
    chosen = rng.sample(range(len(groups)), gt)
    out = []
    for g in chosen:
        out += rng.sample(groups_shares[g], groups[g][0])
    rng.shuffle(out)
    return out

def passphrase():
    if rng.random() < 0.5:
        return ""
    return "".join(chr(rng.randint(0x20, 0x7e)) for _ in range(rng.randint(1, 20))).strip() or "x"

for it in range(25):
    gt, groups = layout()
    secret = os.urandom(rng.choice([16, 32, 20])).hex()
    e = rng.randint(0, 2)
    pw = passphrase()
    desc = f"gt={gt} groups={groups} e={e} len={len(secret)//2} pw={len(pw)}"
    with open("pw.txt", "w") as f:
        f.write(pw + "\n")

    # npm splits, sandyq combines
    ext = rng.randint(0, 1)
    lay = json.dumps({"group_threshold": gt, "groups": groups, "e": e, "ext": ext, "passphrase": pw})
    r = subprocess.run(["node", driver, "split", lay], input=secret, capture_output=True, text=True)
    check(r.returncode == 0, f"npm split failed ({desc}): {r.stderr[-300:]}")
    if r.returncode != 0:
        continue
    shares = json.loads(r.stdout)["groups"]
    subset = pick(shares, gt, groups)
    r = subprocess.run([sandyq, "slip39", "combine", "--passphrase-file", "pw.txt"],
                       input="\n".join(subset) + "\n", capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == secret + "\n",
          f"sandyq combine of npm shares ({desc}, ext={ext}): rc={r.returncode} {r.stderr[-300:]}")
    # one group short (or one member short): refused
    if gt >= 1:
        chosen = rng.sample(range(len(groups)), gt)
        short = []
        for g in chosen:
            short += shares[g][:groups[g][0]]
        victim = rng.choice(chosen)
        short.remove(shares[victim][0])
        if short:
            r = subprocess.run([sandyq, "slip39", "combine", "--passphrase-file", "pw.txt"],
                               input="\n".join(short) + "\n", capture_output=True, text=True)
            check(r.returncode == 1 and r.stdout == "", f"sandyq combined a short set ({desc})")

    # sandyq splits, npm combines
    with open("secret.hex", "w") as f:
        f.write(secret + "\n")
    args = [sandyq, "slip39", "split", "--secret-file", "secret.hex", "--iteration-exponent", str(e),
            "--passphrase-file", "pw.txt"]
    if len(groups) == 1 and gt == 1 and rng.random() < 0.5:
        args += ["--threshold", str(groups[0][0]), "--shares", str(groups[0][1])]
    else:
        args += ["--group-threshold", str(gt)]
        for k, n in groups:
            args += ["--group", f"{k}/{n}"]
    r = subprocess.run(args, capture_output=True, text=True)
    check(r.returncode == 0, f"sandyq split failed ({desc}): {r.stderr[-300:]}")
    if r.returncode != 0:
        continue
    ours = [[] for _ in groups]
    g = 0
    for line in r.stdout.splitlines():
        if line.startswith("# group "):
            g = int(line.split()[2]) - 1
        elif line and not line.startswith("#"):
            ours[g].append(line)
    check([len(x) for x in ours] == [n for _, n in groups], f"sandyq split printed {[len(x) for x in ours]} ({desc})")
    subset = pick(ours, gt, groups)
    r = subprocess.run(["node", driver, "combine", pw], input="\n".join(subset) + "\n",
                       capture_output=True, text=True)
    check(r.returncode == 0 and r.stdout == secret + "\n",
          f"npm combine of sandyq shares ({desc}): rc={r.returncode} {r.stderr[-300:]}")

print(f"{ok} {bad}")
PY
rc=$?
read -r n_ok n_bad < diff.out || { n_ok=0; n_bad=1; }
is "differential run completed" test "$rc" -eq 0
if [ "${n_bad:-1}" -ne 0 ]; then
    : > "$SQ_ERR"
    fail "$n_bad differential checks failed"
    sed 's/^/    /' diff.err | head -20 >&2
fi
is "differential checks ran" test "${n_ok:-0}" -ge 30
SQ_PASSED=$((SQ_PASSED + ${n_ok:-0}))

# a vault's split-key shares are plain SLIP-0039: the npm package recovers
# the same master secret as sandyq from a quorum of them (empty passphrase),
# and that secret is what opens the vault
ok sq init v.sq "$P" --kdf test
ok sq shares create v.sq --group-threshold 2 --group 2/3 --group 1/1 --group 3/5 "$P" > vset
awk '/^-----BEGIN/{c=1} !c && !/^#/ && NF {print} /^-----END/{c=0}' vset > vm
sed -n '2p;3p;4p' vm > vq                      # group 1 (2 of 3) and group 2 (1 of 1)
ok sq slip39 combine vq > ms_sandyq
node "$NPM_DRIVER" combine "" < vq > ms_npm 2>"$SQ_ERR" && pass || fail "npm combine of vault shares failed"
is "npm recovers the vault's master secret" [ -s ms_npm ] && [ "$(cat ms_npm)" = "$(cat ms_sandyq)" ]
ok sq ls v.sq --shares vq
