#!/usr/bin/env python3
"""What sealing costs a checkpoint save and load: `lexgraph model convert SRC DST` (a
full load of SRC and save to DST) of the MiniLM folder's Lexgraph re-save, plain vs
sealed with an artifact key (64 hex digits: no PBKDF2), alternating, in one run; prints
the medians and the ratio, each side's median user and system CPU time and page faults
(the cost of a sealed file is mostly memory, not the cipher), and the load average before
and after. For reference, Python `cryptography`'s AES-GCM on the same bytes (the cipher alone).

    python3 tools/bench_sealing.py [--repeats 5] [--model models/all-minilm-l6-v2]
"""
import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-minilm-l6-v2"))
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "lexgraph"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="lexgraph-bench-sealing-")
    key = os.path.join(tmp, "artifact.key")
    with open(key, "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEXGRAPH_") or k in ("LEXGRAPH_BLAS_THREADS",)}
    sealed_env = dict(env, LEXGRAPH_ARTIFACT_KEY_FILE=key)

    def convert(src, dst, environment, usage=None):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([args.binary, "model", "convert", src, dst], env=environment, check=True, stdout=subprocess.DEVNULL)
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if usage is not None:
            usage.append((after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, after.ru_minflt - before.ru_minflt))
        return elapsed

    convert(args.model, os.path.join(tmp, "plain-0"), env)            # Lexgraph's own F32 layout
    convert(args.model, os.path.join(tmp, "sealed-0"), sealed_env)    # the same, sealed
    plain, sealed, plain_usage, sealed_usage = [], [], [], []
    load_before = os.getloadavg()
    for i in range(args.repeats):
        plain.append(convert(os.path.join(tmp, "plain-0"), os.path.join(tmp, "plain-%d" % (i + 1)), env, plain_usage))
        sealed.append(convert(os.path.join(tmp, "sealed-0"), os.path.join(tmp, "sealed-%d" % (i + 1)), sealed_env, sealed_usage))
    load_after = os.getloadavg()
    size = os.path.getsize(os.path.join(tmp, "plain-0", "model.safetensors"))
    with open(os.path.join(tmp, "sealed-1", "model.safetensors"), "rb") as f:
        assert f.read(8) == b"LXSEAL02"
    p, s = statistics.median(plain), statistics.median(sealed)
    print("checkpoint %.1f MB, %d repeats (load + save, process start included)" % (size / 1e6, args.repeats))
    print("plain  median %.3f s  %s" % (p, " ".join("%.3f" % t for t in plain)))
    print("sealed median %.3f s  %s" % (s, " ".join("%.3f" % t for t in sealed)))
    print("ratio sealed / plain: %.3f" % (s / p))
    for name, usage in (("plain ", plain_usage), ("sealed", sealed_usage)):
        print("%s median user %.3f s, system %.3f s, minor page faults %d" % (
            name, statistics.median(u[0] for u in usage), statistics.median(u[1] for u in usage), statistics.median(u[2] for u in usage)))
    print("load average (1, 5, 15 min) before %.2f %.2f %.2f, after %.2f %.2f %.2f" % (load_before + load_after))
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        data = open(os.path.join(tmp, "plain-0", "model.safetensors"), "rb").read()
        aes = AESGCM(AESGCM.generate_key(bit_length=256))
        nonce = os.urandom(12)
        start = time.perf_counter()
        sealed_bytes = aes.encrypt(nonce, data, None)
        mid = time.perf_counter()
        aes.decrypt(nonce, sealed_bytes, None)
        end = time.perf_counter()
        print("peer: Python cryptography AES-256-GCM on the same bytes: encrypt %.3f s, decrypt %.3f s" % (mid - start, end - mid))
    except ImportError:
        print("peer: Python cryptography not installed")
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
