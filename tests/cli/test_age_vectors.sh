#!/usr/bin/env bash
# test_age_vectors.sh: every age test vector of a folder through `sandyq decrypt`.
#
#   SQ_AGE_VECTORS=DIR  run the vectors of DIR (e.g. a checkout of the public
#                       age testkit, C2SP/CCTV age/testdata) instead of the
#                       project's own $SQ_SRC/tests/vectors/age
#
# Vector format (the age testkit's): header lines "key: value" (expect,
# payload, identity, passphrase, armored, compressed, file key, comment), a
# blank line, then the age file. Per the testkit, a file with an unknown key
# is ignored; "compressed: zlib" bodies are inflated with python3's zlib.
#
# Checks, for each vector:
#   success:  exit 0, and the output file's SHA-256 is `payload`
#   failure:  exit 1, no output file left behind (-o), the message names the
#             failure class, and what reached standard output is exactly the
#             plaintext the testkit says may be released (`payload`: the
#             authenticated chunks before the failure; empty for header-level
#             failures)
# Post-quantum and plugin vectors are skipped and counted. The default folder
# must hold at least one vector; an outside folder may be partial.
. "$(dirname "$0")/lib.sh"

DEFAULT_DIR="$SQ_SRC/tests/vectors/age"
DIR=${SQ_AGE_VECTORS:-$DEFAULT_DIR}
if [ ! -d "$DIR" ]; then
    if [ -n "${SQ_AGE_VECTORS:-}" ]; then
        echo "SQ_AGE_VECTORS: no folder $DIR" >&2
        exit 1
    fi
    : > "$SQ_ERR"
    fail "no folder $DEFAULT_DIR"
    exit 1
fi

python3 - "$SANDYQ" "$DIR" "$SQ_TMP/work" >"$SQ_TMP/results" 2>"$SQ_TMP/py.err" <<'EOF'
import hashlib, os, subprocess, sys, zlib

sandyq, folder, work = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True)
KNOWN = {"expect", "payload", "identity", "passphrase", "armored", "compressed",
         "file key", "comment"}
# what the message of each failure class must contain (any of)
CLASS_WORDS = {
    "no match": ["no identity matched", "wrong passphrase", "no identity was given"],
    "HMAC failure": ["header MAC failed"],
    "header failure": ["header", "not an age file", "malformed", "work factor is above"],
    "payload failure": ["payload failure"],
    "armor failure": ["armor"],
}

def out(kind, name, why=""):
    print(f"{kind}\t{name}\t{why}".rstrip("\t"), flush=True)

def run(args, stdout):
    return subprocess.run([sandyq, "decrypt"] + args, stdout=stdout,
                          stderr=subprocess.PIPE, timeout=300)

names = sorted(n for n in os.listdir(folder)
               if os.path.isfile(os.path.join(folder, n)) and not n.startswith("."))
for name in names:
    raw = open(os.path.join(folder, name), "rb").read()
    cut = raw.find(b"\n\n")
    if cut < 0:
        out("FAIL", name, "no blank line after the vector header")
        continue
    meta, body = {}, raw[cut + 2:]
    ids, pws, unknown = [], [], []
    for line in raw[:cut].decode("utf-8", "replace").split("\n"):
        key, sep, value = line.partition(": ")
        if not sep:
            unknown.append(line)
        elif key == "identity":
            ids.append(value)
        elif key == "passphrase":
            pws.append(value)
        elif key in KNOWN:
            meta[key] = value
        else:
            unknown.append(key)
    if unknown:
        out("skip", name, "unknown header key " + repr(unknown[0]))
        continue
    expect = meta.get("expect")
    if expect != "success" and expect not in CLASS_WORDS:
        out("FAIL", name, f"unknown expect value {expect!r}")
        continue
    if "payload" not in meta and expect in ("success", "payload failure"):
        out("FAIL", name, "no payload hash")
        continue
    if any(not i.startswith("AGE-SECRET-KEY-1") for i in ids) or b"mlkem" in body[:4096] \
            or b"-> pq" in body[:4096]:
        out("skip-pq", name, "post-quantum or plugin identity")
        continue
    comp = meta.get("compressed")
    if comp is not None:
        if comp != "zlib":
            out("skip", name, "compression " + comp)
            continue
        try:
            body = zlib.decompress(body)
        except zlib.error as e:
            out("FAIL", name, f"cannot inflate: {e}")
            continue
    if len(pws) > 1:
        out("skip", name, "several passphrases")
        continue

    vec = os.path.join(work, "vector.age")
    open(vec, "wb").write(body)
    args = []
    if ids:
        idf = os.path.join(work, "identity.txt")
        open(idf, "w").write("".join(i + "\n" for i in ids))
        args += ["-i", idf]
    if pws:
        pwf = os.path.join(work, "passphrase.txt")
        open(pwf, "wb").write(pws[0].encode() + b"\n")
        args += ["--passphrase-file", pwf]
    target = os.path.join(work, "out.bin")
    if os.path.lexists(target):
        os.unlink(target)

    # 1) to a file
    r = run(args + ["-o", target, vec], subprocess.DEVNULL)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode in (86, 87):
        out("FAIL", name, "sanitizer report: " + err[-400:])
        continue
    if expect == "success":
        if r.returncode != 0:
            out("FAIL", name, f"expected success, exit {r.returncode}: {err.strip()[:300]}")
            continue
        got = hashlib.sha256(open(target, "rb").read()).hexdigest()
        if got != meta["payload"]:
            out("FAIL", name, "decrypted payload differs from the vector's hash")
            continue
        out("ok", name)
        continue
    if r.returncode != 1:
        out("FAIL", name, f"expected {expect} (exit 1), got exit {r.returncode}: {err.strip()[:300]}")
        continue
    if os.path.lexists(target):
        out("FAIL", name, "an output file was left after a failure")
        continue
    leftovers = [n for n in os.listdir(work) if "sandyq-tmp" in n]
    if leftovers:
        out("FAIL", name, "a temporary was left: " + leftovers[0])
        continue
    if not any(w in err for w in CLASS_WORDS[expect]):
        out("FAIL", name, f"expected a {expect} message, got: {err.strip()[:300]}")
        continue
    # 2) to standard output: only authenticated plaintext is released
    r = run(args + [vec], subprocess.PIPE)
    if r.returncode != 1:
        out("FAIL", name, f"to stdout: expected exit 1, got {r.returncode}")
        continue
    released = hashlib.sha256(r.stdout).hexdigest()
    if expect == "payload failure":
        if released != meta["payload"]:
            out("FAIL", name, f"to stdout: {len(r.stdout)} bytes released, not the "
                              "authenticated prefix the vector names")
            continue
    elif r.stdout:
        out("FAIL", name, f"to stdout: {len(r.stdout)} bytes released before the header opened")
        continue
    out("ok", name)
EOF
rc=$?
if [ "$rc" -ne 0 ]; then
    fail "the vector runner failed (exit $rc): $(tail -n 5 "$SQ_TMP/py.err")"
fi

n_ok=0 n_pq=0 n_skip=0
while IFS=$'\t' read -r kind name why; do
    case $kind in
    ok) pass; n_ok=$((n_ok + 1)) ;;
    skip-pq) n_pq=$((n_pq + 1)) ;;
    skip) n_skip=$((n_skip + 1)); echo "skipped $name: $why" ;;
    FAIL) : > "$SQ_ERR"; fail "$name: $why" ;;
    esac
done < "$SQ_TMP/results"
echo "age vectors in $DIR: $n_ok passed, $n_pq post-quantum skipped, $n_skip other skipped"
if [ "$DIR" = "$DEFAULT_DIR" ] && [ $((n_ok + SQ_FAILED)) -eq 0 ]; then
    : > "$SQ_ERR"
    fail "no vectors in $DEFAULT_DIR"
fi
if [ "$DIR" != "$DEFAULT_DIR" ] && [ $((n_ok + SQ_FAILED)) -eq 0 ]; then
    pass   # an outside folder may be empty or hold only skipped vectors
fi
