#!/bin/bash
# test_identity.sh: sandyq identity VAULT: each level's public keys (FORMAT.md
# 13), printed in minisign's public key form and as an age recipient; stable
# across commits, passphrase changes and rekey; distinct per purpose and per
# vault; --purpose and -o write the file a partner pins.
. "$(dirname "$0")/lib.sh"

mkvault v
ok sq identity v "$P" > all.txt
# three labelled minisign keys, the age recipient, the fingerprint
is "three minisign public keys" test "$(grep -c '^untrusted comment: minisign public key [0-9A-F]\{1,16\}$' all.txt)" -eq 3
is "labels" grep -qx 'export signing key (minisign):' all.txt
is "labels" grep -qx 'checkpoint signing key (minisign):' all.txt
is "labels" grep -qx 'share certificate key (minisign):' all.txt
is "age recipient" grep -qE '^age recipient: age1[02-9ac-hj-np-z]{58}$' all.txt
is "fingerprint" grep -qE '^fingerprint: [0-9]{5}( [0-9]{5}){5}$' all.txt
is "three distinct signing keys" test "$(grep '^RW' all.txt | sort -u | wc -l)" -eq 3

# --purpose: exactly the minisign public key file (two lines), or the recipient
for p in export checkpoint shares; do
    ok sq identity v --purpose "$p" "$P" > "$p.pub"
    # shares: plus the signed "sandyq share set:" line (FORMAT.md 17)
    is "$p: two lines" test "$(grep -vc '^sandyq share set: ' "$p.pub")" -eq 2
    is "$p: the same key as in the full listing" grep -qxF "$(sed -n 2p "$p.pub")" all.txt
    is "$p: minisign's first line" grep -qE '^untrusted comment: minisign public key [0-9A-F]{1,16}$' "$p.pub"
    is "$p: base64 of Ed || keyid || pk" python3 -c '
import base64, sys
b = base64.b64decode(open(sys.argv[1]).read().split("\n")[1], validate=True)
assert len(b) == 42 and b[:2] == b"Ed", b
kid = int.from_bytes(b[2:10], "little")
head = open(sys.argv[1]).read().split("\n")[0]
assert int(head.rsplit(" ", 1)[1], 16) == kid, (head, kid)
' "$p.pub"
done
ok sq identity v --purpose age "$P" > age.txt
is "recipient alone" grep -qxE 'age1[02-9ac-hj-np-z]{58}' age.txt
is "the same recipient" grep -qxF "age recipient: $(cat age.txt)" all.txt
# stock age accepts the level's recipient
printf 'for the level\n' > msg.txt
ok age -r "$(cat age.txt)" -o msg.age msg.txt

# -o: complete file, refused when present unless --force
ok sq identity v --purpose export -o pin.pub "$P"
same pin.pub export.pub
fails 1 sq identity v --purpose export -o pin.pub "$P"
says "file exists"
ok sq identity v --purpose checkpoint -o pin.pub --force "$P"
same pin.pub checkpoint.pub
fails 2 sq identity v --purpose nonsense "$P"
fails 2 sq identity "$P"

# wrong passphrase: nothing printed
printf 'wrong\n' > wrong
fails 1 sq identity v --passphrase-file wrong > out.txt
is "nothing printed" test ! -s out.txt

# stable across a commit, a new passphrase and rekey
printf 'doc\n' > d.txt
ok sq add v d.txt "$P"
printf 'second passphrase here\n' > pw2
ok sq passphrase add v --new-passphrase-file pw2 "$P"
ok sq identity v --passphrase-file pw2 > all2.txt
same all.txt all2.txt
ok sq rekey v "$P"
ok sq identity v "$P" > all3.txt
same all.txt all3.txt

# another vault: other keys
mkvault w
ok sq identity w "$P" > w.txt
is "another vault, other keys" test "$(cat all.txt w.txt | grep '^RW' | sort -u | wc -l)" -eq 6
