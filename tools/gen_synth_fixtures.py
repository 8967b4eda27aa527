#!/usr/bin/python3
"""gen_synth_fixtures.py: the pickle that tests/test_synth.c expects data/pickle_write.c to write
byte for byte: an object covering every kind the writer knows (containers in and past one batch of
1000, ints of every width, floats, singletons, bytes, numpy float32 arrays of 0..4 dimensions,
empty ones too), pickled the way Python does it: pickletools.optimize(pickle.dumps(obj, 2)) of
the object as pickle.load gives it back.

    /usr/bin/python3 tools/gen_synth_fixtures.py    # writes tests/fixtures/synth/pickle_write.pkl
"""
import os
import pickle
import pickletools

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "synth")


def fixture():
    a = np.arange(10, dtype=np.float32).reshape(2, 5) * 1.5 - 3
    return {
        "labels": ["waving", "b", "\u00e9", "", "b"],
        "gttubes": {"v/x": {0: [a, a[:1].copy()], 3: [np.zeros((0, 5), np.float32), np.zeros((0, 5), np.float32)]},
                    "v/y": {}},
        "ints": [0, 1, 255, 256, 65535, 65536, -1, -256, -2**31, 2**31 - 1, 2**31, -2**31 - 1, 2**40, -2**40,
                 2**63 - 1, -2**63, 127 * 256, -129],
        "floats": [1.5, -0.0, 1e300, float("inf")],
        "misc": (None, True, False),
        "tuples": [(), (1,), (1, 2), (1, 2, 3), (1, 2, 3, 4)],
        "one": [7],
        "empty": [],
        "edict": {},
        "single": {"k": 1},
        "batch": list(range(2001)),
        "bigdict": {i: -i for i in range(1001)},
        "arrays": [np.array(2.5, np.float32), np.ones((1, 1, 1, 2), np.float32), np.zeros((2, 1, 3), np.float32)],
        "unicode": "caf\u00e9 \u2713",
        "bytes": [b"\x00\xff b", b"b", b"\xff", b"\xff", b""],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    obj = pickle.loads(pickle.dumps(fixture(), protocol=2))
    data = pickletools.optimize(pickle.dumps(obj, protocol=2))
    assert pickle.loads(data).keys() == fixture().keys()
    with open(os.path.join(OUT, "pickle_write.pkl"), "wb") as f:
        f.write(data)
    print("wrote %s (%d bytes)" % (os.path.join(OUT, "pickle_write.pkl"), len(data)))


if __name__ == "__main__":
    main()
