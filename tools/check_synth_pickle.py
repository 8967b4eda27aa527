#!/usr/bin/python3
"""check_synth_pickle.py: checks a synthetic dataset written by `ovad data synth` with Python's own
pickle and numpy (run by hand; the C tests do not need Python):

    /usr/bin/python3 tools/check_synth_pickle.py DIR

- DIR/synthetic-GT.pkl loads with a plain pickle.load (no encoding argument) and has the ACT
  schema of datasets-and-eval.md section 1.1: the six keys in JHMDB-GT.pkl's order, labels,
  gttubes {video: {label index: [float32 (n,5) arrays of frame, x1, y1, x2, y2]}}, nframes,
  train_videos / test_videos (one split), resolution {video: (h, w)};
- its bytes equal pickletools.optimize(pickle.dumps(obj, protocol=2)), i.e. what Python itself
  writes for the object it loaded;
- the tubes agree with captions.json, every frame file exists with the stated size (when PIL is
  installed), and no train video shows a held-out action or combination.
Prints a summary and exits 1 at the first failed check."""
import json
import os
import pickle
import pickletools
import sys

import numpy as np


def fail(msg):
    print("FAILED:", msg)
    sys.exit(1)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    root = sys.argv[1]
    if root.endswith(".pkl"):
        root = os.path.dirname(root) or "."
    raw = open(os.path.join(root, "synthetic-GT.pkl"), "rb").read()
    gt = pickle.loads(raw)
    keys = ["labels", "gttubes", "nframes", "train_videos", "test_videos", "resolution"]
    if not isinstance(gt, dict) or list(gt) != keys:
        fail("top level is not a dict with keys %s" % keys)
    labels = gt["labels"]
    if not all(isinstance(l, str) for l in labels):
        fail("labels are not all str")
    if len(gt["train_videos"]) != 1 or len(gt["test_videos"]) != 1:
        fail("expected one split")
    train, test = gt["train_videos"][0], gt["test_videos"][0]
    videos = list(gt["gttubes"])
    if set(train) & set(test) or sorted(train + test) != sorted(videos):
        fail("train and test are not a partition of the videos")
    if list(gt["nframes"]) != videos or list(gt["resolution"]) != videos:
        fail("nframes / resolution keys differ from gttubes")

    cap = json.load(open(os.path.join(root, "captions.json")))
    if cap["labels"] != labels:
        fail("captions.json labels differ")
    novel = set(cap["novel_labels"])
    combos = [c.split("+") for c in cap["holdout_combos"]]
    by_video = {v["video"]: v for v in cap["videos"]}
    try:
        from PIL import Image
    except ImportError:
        Image = None

    ntubes = nboxes = 0
    for v in videos:
        T = gt["nframes"][v]
        h, w = gt["resolution"][v]
        if not isinstance(T, int) or not (isinstance(h, int) and isinstance(w, int)):
            fail("%s: nframes or resolution is not int" % v)
        if v.split("/")[0] not in labels:
            fail("%s: folder is not a label" % v)
        tubes = gt["gttubes"][v]
        entry = by_video.get(v)
        if entry is None:
            fail("%s: not in captions.json" % v)
        if (entry["split"] == "test") != (v in test):
            fail("%s: split differs from captions.json" % v)
        # tubes per label in the order of the actors that carry them
        want = {}
        for a in entry["actors"]:
            want.setdefault(labels.index(a["label"]), []).append(np.array(a["tube"], np.float32).reshape(-1, 5))
            if v in train:
                vals = {a["label"], a["colour"], a["size"], a["direction"], a["speed"]}
                if a["label"] in novel or a["novel_action"]:
                    fail("%s: held-out action %s in a train video" % (v, a["label"]))
                if any(set(c) <= vals for c in combos) or a["novel_combo"]:
                    fail("%s: held-out combination in a train video: %s" % (v, a["caption"]))
        if list(tubes) != list(want):
            fail("%s: tube labels %s, captions.json says %s" % (v, list(tubes), list(want)))
        for label, arrs in tubes.items():
            if not isinstance(label, int) or not isinstance(arrs, list):
                fail("%s: bad gttubes entry" % v)
            for a, b in zip(arrs, want[label]):
                if not isinstance(a, np.ndarray) or a.dtype != np.float32 or a.ndim != 2 or a.shape[1] != 5:
                    fail("%s: a tube is not a float32 (n,5) array: %r" % (v, a))
                if not a.flags["C_CONTIGUOUS"] or not np.array_equal(a, b):
                    fail("%s: tube differs from captions.json" % v)
                f = a[:, 0]
                if np.any(f < 1) or np.any(f > T) or np.any(np.diff(f) <= 0):
                    fail("%s: frame numbers out of order or range" % v)
                if np.any(a != np.round(a)):
                    fail("%s: non-integral coordinates" % v)
                x1, y1, x2, y2 = a[:, 1], a[:, 2], a[:, 3], a[:, 4]
                if np.any(x1 < 0) or np.any(y1 < 0) or np.any(x2 > w - 1) or np.any(y2 > h - 1) or np.any(x1 > x2) or np.any(y1 > y2):
                    fail("%s: a box outside the image or inverted" % v)
                ntubes += 1
                nboxes += len(a)
        for t in range(1, T + 1):
            p = os.path.join(root, "Frames", v, "%05d.png" % t)
            if not os.path.exists(p):
                fail("missing frame " + p)
        if Image is not None:
            im = Image.open(os.path.join(root, "Frames", v, "00001.png"))
            if im.size != (w, h) or im.mode != "RGB":
                fail("%s: first frame is %s %s, not RGB %dx%d" % (v, im.mode, im.size, w, h))

    again = pickletools.optimize(pickle.dumps(gt, protocol=2))
    same = again == raw
    print("labels: %d (%s)" % (len(labels), ", ".join(labels)))
    print("novel: %s; held-out combinations: %s" % (sorted(novel) or "none", cap["holdout_combos"] or "none"))
    print("videos: %d (train %d, test %d)" % (len(videos), len(train), len(test)))
    print("tubes: %d, boxes: %d" % (ntubes, nboxes))
    print("numpy %s loaded %d bytes; equal to Python's own protocol-2 pickle of the loaded object: %s"
          % (np.__version__, len(raw), same))
    if not same:
        i = next(i for i in range(min(len(raw), len(again))) if raw[i] != again[i]) if raw[:len(again)] != again[:len(raw)] else min(len(raw), len(again))
        fail("bytes differ from pickle.dumps from offset %d" % i)
    print("OK")


if __name__ == "__main__":
    main()
