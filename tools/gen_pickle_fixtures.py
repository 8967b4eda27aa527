#!/usr/bin/python3
"""gen_pickle_fixtures.py: pickles of nested Python values for tests/test_pickle.c.

Each case is pickled with pickle.dumps at protocols 0, 2, 4 and 5 into <case>.p<N>.pkl, and
expected.txt gets a line "<case>\\t<canonical text>": the text that data/pickle.c's ov_pk_repr
must print for every protocol's file (the notation is described in data/pickle_value.c), plus a
line "<case>.p<N>\\t<text>" for a protocol whose text differs (objects are written differently).

Usage: /usr/bin/python3 tools/gen_pickle_fixtures.py tests/fixtures/pickle   (Python 3 only)
"""
import argparse
import collections
import math
import os
import pickle
import sys

PROTOCOLS = (0, 2, 4, 5)


def quoted(b, text):
    """Quoted like ov_pk_repr: backslash, quote and \\xHH for control bytes (and bytes >= 0x80 unless text)."""
    out = bytearray(b'"')
    for c in b:
        if c in (0x5C, 0x22):
            out += b"\\" + bytes([c])
        elif c < 0x20 or c == 0x7F or (not text and c >= 0x80):
            out += b"\\x%02x" % c
        else:
            out.append(c)
    out += b'"'
    return out.decode("utf-8")


def canon(v, proto):
    if v is None:
        return "None"
    if v is True:
        return "True"
    if v is False:
        return "False"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        s = "%.17g" % v
        return s if ("." in s or "e" in s) else s + ".0"
    if isinstance(v, str):
        return quoted(v.encode("utf-8"), True)
    if isinstance(v, bytearray):
        return "ba" + quoted(bytes(v), False)
    if isinstance(v, bytes):
        return "b" + quoted(v, False)
    if isinstance(v, tuple):
        return "(" + ", ".join(canon(x, proto) for x in v) + ")"
    if isinstance(v, list):
        return "[" + ", ".join(canon(x, proto) for x in v) + "]"
    if isinstance(v, collections.OrderedDict):
        return "o{" + ", ".join(canon(k, proto) + ": " + canon(x, proto) for k, x in v.items()) + "}"
    if isinstance(v, dict):
        return "{" + ", ".join(canon(k, proto) + ": " + canon(x, proto) for k, x in v.items()) + "}"
    if isinstance(v, frozenset):
        return "frozenset{" + ", ".join(canon(x, proto) for x in v) + "}"
    if isinstance(v, set):
        return "set{" + ", ".join(canon(x, proto) for x in v) + "}"
    if isinstance(v, argparse.Namespace):  # an opaque object: how the pickler wrote it
        state = canon(vars(v), proto)
        if proto >= 2:
            return "newobj(<argparse.Namespace>, ()).setstate(" + state + ")"
        return "reduce(<copyreg._reconstructor>, (<argparse.Namespace>, <builtins.object>, None)).setstate(" + state + ")"
    raise TypeError(type(v))


def cases():
    yield "scalars", [None, True, False, 0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63 - 1,
                      -2**63, 2**63, -2**63 - 1, 2**64, 2**200, -(2**100) + 7, 0.0, -0.0, 0.1, -2.5e-300, 1e300,
                      3.141592653589793, float("inf"), float("-inf"), float("nan")]
    yield "strings", ["", "hello", 'quote"and\\back', "new\nline\ttab\rcr", "\x00nul\x1a", "ünïcödé ✓ 🙂",
                      "x" * 300, b"", b"\x00\xff abc\n", bytes(range(256)), bytearray(b"xyz"), bytearray()]
    yield "containers", {"tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4), ((), ((),))],
                         "lists": [[], [[]], [1, [2, [3, [4]]]]],
                         "dicts": {1: "int", "s": "str", (1, "t"): "tuple", None: "none", 2.5: "float",
                                   frozenset({3}): "frozenset", b"by": "bytes"},
                         "sets": [set(), {1, 2, 3}, frozenset(), frozenset({"a", "b"})],
                         "empty": {}}
    yield "ordered", collections.OrderedDict([("b", 1), ("a", [1.5, collections.OrderedDict(z=None)]), ("c", {})])
    yield "big", {"ints": list(range(-1200, 1300)), "map": {"k%d" % i: i * 0.5 for i in range(1100)},
                  "words": ["w%d" % i for i in range(300)]}
    shared = ["shared"]
    words = ["m%d" % i for i in range(300)]
    yield "memo", {"a": shared, "b": shared, "t": (shared, shared), "words": words, "again": words[::-1]}
    yield "namespace", {"config": argparse.Namespace(lr=0.1, name="run", layers=[1, 2]), "epoch": 7}


def main():
    if os.environ.get("PYTHONHASHSEED") != "0":  # set order, hence the bytes, the same on every run
        os.environ["PYTHONHASHSEED"] = "0"
        os.execv(sys.executable, [sys.executable] + sys.argv)
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/pickle"
    os.makedirs(out, exist_ok=True)
    lines = []
    for name, value in cases():
        for proto in PROTOCOLS:
            fname = "%s.p%d.pkl" % (name, proto)
            data = pickle.dumps(value, protocol=proto)
            with open(os.path.join(out, fname), "wb") as f:
                f.write(data)
            assert pickle.loads(data) == value or name in ("scalars", "namespace")
            text = canon(value, proto)
            key = "%s.p%d" % (name, proto)
            if proto == PROTOCOLS[0]:
                first, lines_case = text, [name + "\t" + text]
            elif text != first:  # only where protocols differ (opaque objects)
                lines_case.append(key + "\t" + text)
        lines += lines_case
    with open(os.path.join(out, "expected.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("wrote %d pickles to %s" % (len(PROTOCOLS) * len(list(cases())), out))


if __name__ == "__main__":
    main()
