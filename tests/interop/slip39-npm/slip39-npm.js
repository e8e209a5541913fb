// slip39-npm.js: a thin driver over the `slip39` npm package for the
// differential test tests/cli/test_slip39_npm.sh (tests only).
//
//   node slip39-npm.js split LAYOUT_JSON < SECRET_HEX
//       LAYOUT_JSON: {"group_threshold":G,"groups":[[K,N],...],"e":E,"ext":0|1,"passphrase":"..."}
//       prints {"groups":[[mnemonic,...],...]} (JSON, one line)
//   node slip39-npm.js combine PASSPHRASE < MNEMONICS (one per line)
//       prints the master secret, lowercase hex
"use strict";
const fs = require("fs");
const slip39 = require("slip39");

function hexToBytes(hex) {
  if (!/^([0-9a-f]{2})+$/.test(hex)) throw new Error("secret: not lowercase hex");
  const out = [];
  for (let i = 0; i < hex.length; i += 2) out.push(parseInt(hex.slice(i, i + 2), 16));
  return out;
}

function bytesToHex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const [cmd, arg] = process.argv.slice(2);
const input = fs.readFileSync(0, "utf8");
if (cmd === "split") {
  const layout = JSON.parse(arg);
  const s = slip39.fromArray(hexToBytes(input.trim()), {
    passphrase: layout.passphrase || "",
    threshold: layout.group_threshold,
    groups: layout.groups,
    iterationExponent: layout.e || 0,
    extendableBackupFlag: layout.ext === undefined ? 1 : layout.ext,
  });
  const groups = layout.groups.map((g, i) =>
    Array.from({ length: g[1] }, (_, j) => s.fromPath(`r/${i}/${j}`).mnemonics[0]));
  process.stdout.write(JSON.stringify({ groups }) + "\n");
} else if (cmd === "combine") {
  const mnemonics = input.split("\n").map((l) => l.trim()).filter((l) => l.length > 0);
  process.stdout.write(bytesToHex(slip39.recoverSecret(mnemonics, arg || "")) + "\n");
} else {
  process.stderr.write("usage: slip39-npm.js split LAYOUT_JSON | combine PASSPHRASE\n");
  process.exit(2);
}
