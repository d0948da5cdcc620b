#!/usr/bin/python3
# bundle_reader.py — a second reader of Intake's transfer bundles, written
# from docs/FORMATS.md alone (PyNaCl and the standard library), so that the
# format page is known to be enough. Used by tests/cli/bundles.sh.
#
#   bundle_reader.py BUNDLE OFFICE.key PASSPHRASE_FILE SITE.pub
#
# Checks the header, the recipient, the signer (must be SITE.pub), the
# signature and every chunk, then prints one line per item:
#   seq N after A site FINGERPRINT
#   version ID K/N by=USER reason=TEXT sha=SHA256-OF-CANONICAL-RECORD
#   record ID <canonical JSON of the record>      (the last version only)
#   delete ID by=USER reason=TEXT
#   form HASH
#   end {"records":...}
# Exits 1 with a message on stderr when anything does not verify.
import base64
import hashlib
import json
import struct
import sys

import nacl.bindings as nb
import nacl.exceptions
import nacl.pwhash
import nacl.signing


def fail(msg):
    sys.stderr.write("bundle_reader: %s\n" % msg)
    sys.exit(1)


def key_line(path, tag):
    text = open(path, "rb").read().decode("ascii")
    line = text.rstrip("\r\n")
    if not line.startswith(tag + " ") or "\n" in line or "\r" in line:
        fail("%s is not a %s file" % (path, tag))
    return base64.b64decode(line[len(tag) + 1:], validate=True)


def key_id(pk):
    return hashlib.blake2b(pk, digest_size=32).digest()[:16]


def fingerprint(pk):
    digits = "%025d" % int.from_bytes(key_id(pk)[:10], "big")
    return " ".join(digits[i:i + 5] for i in range(0, 25, 5))


def office_secret(path, passphrase):
    tag = "intake-key-1"
    blob = key_line(path, tag)
    if len(blob) != 136:
        fail("secret key blob of %d bytes" % len(blob))
    salt, ops, mib = blob[:16], struct.unpack(">Q", blob[16:24])[0], struct.unpack(">Q", blob[24:32])[0]
    pk = blob[32:64]
    kek = nacl.pwhash.argon2id.kdf(32, passphrase, salt, opslimit=ops, memlimit=mib * 1048576)
    ad = tag.encode("ascii") + blob[:64]
    sk = nb.crypto_aead_xchacha20poly1305_ietf_decrypt(blob[88:136], ad, blob[64:88], kek)
    if nb.crypto_scalarmult_base(sk) != pk:
        fail("the secret key does not match its public key")
    return pk, sk


def main():
    if len(sys.argv) != 5:
        fail("usage: bundle_reader.py BUNDLE OFFICE.key PASSPHRASE_FILE SITE.pub")
    data = open(sys.argv[1], "rb").read()
    passphrase = open(sys.argv[3], "rb").read().rstrip(b"\r\n")
    pk, sk = office_secret(sys.argv[2], passphrase)
    site = key_line(sys.argv[4], "intake-sitepub-1")

    head = data[:180]
    if len(data) < 180 + 4 + 17 + 64 or head[:8] != b"INTAKEB1" or head[8:12] != b"\x02\0\0\0":
        fail("not a version 2 bundle")
    if head[12:28] != key_id(pk):
        fail("sealed to another key")
    if head[132:164] != site:
        fail("signed by another site (%s)" % fingerprint(head[132:164]))
    body, sig = data[:-64], data[-64:]
    digest = hashlib.blake2b(body, digest_size=64).digest()
    try:
        nacl.signing.VerifyKey(site).verify(b"intake-bundle-v2" + digest, sig)
    except nacl.exceptions.BadSignatureError:
        fail("bad signature")
    seq, after = struct.unpack(">QQ", head[164:180])
    print("seq %d after %d site %s" % (seq, after, fingerprint(site)))

    try:
        stream_key = nb.crypto_box_seal_open(head[28:108], pk, sk)
    except nacl.exceptions.CryptoError:
        fail("the stream key does not open")
    state = nb.crypto_secretstream_xchacha20poly1305_state()
    nb.crypto_secretstream_xchacha20poly1305_init_pull(state, head[108:132], stream_key)
    plain, off, final = b"", 180, False
    while off < len(body):
        if final:
            fail("data after the final chunk")
        (clen,) = struct.unpack(">I", body[off:off + 4])
        chunk = body[off + 4:off + 4 + clen]
        if len(chunk) != clen:
            fail("cut short")
        try:
            msg, tag = nb.crypto_secretstream_xchacha20poly1305_pull(state, chunk, head)
        except nacl.exceptions.CryptoError:
            fail("a chunk fails its integrity check")
        plain += msg
        final = tag == nb.crypto_secretstream_xchacha20poly1305_TAG_FINAL
        off += 4 + clen
    if not final:
        fail("no final chunk")

    items, off = [], 0
    while off < len(plain):
        typ = chr(plain[off])
        (n,) = struct.unpack(">I", plain[off + 1:off + 5])
        items.append((typ, plain[off + 5:off + 5 + n]))
        off += 5 + n
    if off != len(plain) or not items or items[0][0] != "M" or items[-1][0] != "E":
        fail("malformed items")
    manifest = json.loads(items[0][1])
    if manifest.get("format") != 2:
        fail("manifest format %r" % manifest.get("format"))

    versions, last, notes = 0, {}, None
    for typ, raw in items[1:-1]:
        if typ == "V":
            notes = json.loads(raw)
            continue
        if typ == "C":
            rec = json.loads(raw)
            v = notes or {"id": rec["id"], "version": 1, "versions": 1}
            notes = None
            if v["id"] != rec["id"]:
                fail("version notes of another record")
            canon = json.dumps(rec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            print("version %s %d/%d by=%s reason=%s sha=%s" % (
                rec["id"], v["version"], v["versions"], v.get("by", ""), v.get("reason", ""),
                hashlib.sha256(canon.encode("utf-8")).hexdigest()))
            versions += 1
            if v["version"] == v["versions"]:
                last[rec["id"]] = canon
        elif typ == "D":
            d = json.loads(raw)
            print("delete %s by=%s reason=%s" % (d["id"], d["by"], d["reason"]))
        elif typ == "F":
            print("form %s" % hashlib.blake2b(raw, digest_size=32).hexdigest())
        elif typ != "R":
            fail("unknown item %r" % typ)
    for rid in sorted(last):
        print("record %s %s" % (rid, last[rid]))
    end = json.loads(items[-1][1])
    if end.get("records") != len(last) or end.get("versions") != versions:
        fail("counts do not match: %r" % end)
    print("end %s" % json.dumps(end, sort_keys=True, separators=(",", ":")))


if __name__ == "__main__":
    main()
