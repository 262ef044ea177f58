#!/usr/bin/env python3
"""Sealed artifacts written by a peer (Python `cryptography` AES-GCM and `hashlib`
PBKDF2), for `SealedArtifactTests` and `ChunkedSealTests`: the Swift reader must open
them, which checks the file formats (`LXSEAL01`: 12-byte nonce, ciphertext, 16-byte tag;
`LXSEAL02`: chunk size, base nonce, then each chunk's ciphertext and tag, chunk i under
the base nonce XOR i with the header, i and a last-chunk flag as associated data) and the
passphrase derivation (PBKDF2-HMAC-SHA256, salt `lexgraph-artifact-key-v1`, 200,000
rounds) against independent implementations. The chunked files use tiny chunks so a
100-byte file has several; `chunked-tensors.safetensors` holds F32, F16, BF16 and empty
tensors across chunk boundaries (their values and the plaintext are in `sealing.json`).

    python3 tools/make_sealing_fixtures.py   # writes Tests/Fixtures/sealing/
"""
import hashlib
import json
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "Fixtures", "sealing")
PASSPHRASE = "correct horse battery staple"
HEX_KEY = "8f" * 4 + "0123456789abcdef" * 3 + "c0ffee00"  # 64 hex digits
MAGIC = b"LXSEAL01"
CHUNKED_MAGIC = b"LXSEAL02"


def safetensors(values):
    header = {"weights": {"dtype": "F32", "shape": [len(values)], "data_offsets": [0, 4 * len(values)]},
              "__metadata__": {"format": "pt"}}
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + struct.pack("<%df" % len(values), *values)


# Several tensors of each float dtype, an empty one among them, for reads that decrypt a
# tensor's chunks in place: in chunks of 40 bytes most tensors start or end inside a chunk.
TENSORS = [("a", "F32", [5, 6], [(i - 13) * 0.375 for i in range(30)]),
           ("b", "F16", [7], [0.5, -2.0, 1024.0, 6.103515625e-05, -0.0999755859375, 3.140625, 0.0]),
           ("empty", "F32", [0], []),
           ("c", "BF16", [4], [1.0, -3.5, 0.01171875, 65536.0]),
           ("d", "F32", [2], [2.0 ** -20, -123.5])]


def encode(dtype, values):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%de" % len(values), *values)
    # BF16: the upper half of the F32 bits (the values above are exact in BF16).
    return b"".join(struct.pack("<H", struct.unpack("<I", struct.pack("<f", v))[0] >> 16) for v in values)


def tensors_file():
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, dtype, shape, values in TENSORS:
        raw = encode(dtype, values)
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - (8 + len(text)) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + data


def seal(key, plaintext, nonce):
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, None)


def seal_chunked(key, plaintext, base_nonce, chunk_size):
    header = CHUNKED_MAGIC + struct.pack("<I", chunk_size) + base_nonce
    pieces = [plaintext[i:i + chunk_size] for i in range(0, len(plaintext), chunk_size)] or [b""]
    out = [header]
    for index, piece in enumerate(pieces):
        nonce = base_nonce[:8] + bytes(a ^ b for a, b in zip(base_nonce[8:], struct.pack(">I", index)))
        aad = header + struct.pack(">IB", index, 1 if index == len(pieces) - 1 else 0)
        out.append(AESGCM(key).encrypt(nonce, piece, aad))
    return b"".join(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    values = [0.5, -1.25, 3.0, 1e-3, -7.75, 2.0 ** -10]
    plain = safetensors(values)
    passphrase_key = hashlib.pbkdf2_hmac("sha256", PASSPHRASE.encode(), b"lexgraph-artifact-key-v1", 200_000, 32)
    files = {
        "passphrase.safetensors": seal(passphrase_key, plain, bytes(range(12))),
        "hexkey.safetensors": seal(bytes.fromhex(HEX_KEY), plain, bytes(range(100, 112))),
        # 128 bytes in chunks of 48: two full chunks and a last one of 32.
        "chunked.safetensors": seal_chunked(bytes.fromhex(HEX_KEY), plain, bytes(range(200, 212)), 48),
        # A plaintext of exactly two chunks, and an empty one (one empty chunk).
        "chunked-even.bin": seal_chunked(bytes.fromhex(HEX_KEY), bytes(range(64)), bytes(range(12)), 32),
        "chunked-empty.bin": seal_chunked(bytes.fromhex(HEX_KEY), b"", bytes(range(12)), 32),
        "chunked-tensors.safetensors": seal_chunked(bytes.fromhex(HEX_KEY), tensors_file(), bytes(range(50, 62)), 40),
    }
    for name, data in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    with open(os.path.join(OUT, "sealing.json"), "w") as f:
        json.dump({"passphrase": PASSPHRASE, "hex_key": HEX_KEY, "passphrase_key_hex": passphrase_key.hex(),
                   "values": values, "chunk_sizes": {"chunked.safetensors": 48, "chunked-even.bin": 32, "chunked-empty.bin": 32,
                                                     "chunked-tensors.safetensors": 40},
                   "base_nonces_hex": {"chunked.safetensors": bytes(range(200, 212)).hex(), "chunked-even.bin": bytes(range(12)).hex(),
                                       "chunked-empty.bin": bytes(range(12)).hex(), "chunked-tensors.safetensors": bytes(range(50, 62)).hex()},
                   "tensors": {name: {"dtype": dtype, "shape": shape, "values": values} for name, dtype, shape, values in TENSORS},
                   "tensors_plaintext_hex": tensors_file().hex(),
                   "tool": "tools/make_sealing_fixtures.py (cryptography AESGCM, hashlib.pbkdf2_hmac)"},
                  f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
