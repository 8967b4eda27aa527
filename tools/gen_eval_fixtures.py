#!/usr/bin/python3
"""gen_eval_fixtures.py: random ground truth and detections, scored by the public reference
evaluators, written as fixtures for tests/test_eval_reference.c.

    /usr/bin/python3 tools/gen_eval_fixtures.py [REFDIR [OUTDIR]]

OUTDIR defaults to tests/fixtures/eval. REFDIR (or $OVAD_EVAL_REFS) holds the reference code, fetched separately and never committed:
    REFDIR/om    Cogito2012/OpenMixer alphaction/dataset/datasets/evaluation/
                 (evaluate_map.py, pascal_wrapper.py, pascal_evaluation/)
    REFDIR/moc   MCG-NJU/MOC-Detector src/ (ACT.py, ACT_utils/)
    REFDIR/act   act-detector-scripts/ (ACT.py, ACT_utils.py) of the Python 3 fork JiaMingLin/caffe
    REFDIR/anet  activitynet/ActivityNet Evaluation/ at c070fdb^ (get_ava_performance.py with the
                 excluded-timestamps file, ava/)
    REFDIR/tubedetr  antoyang/TubeDETR datasets/hcstvg_eval.py and util/box_ops.py
Each reference runs in its own process (this script with `ref NAME`), with stub modules for the
pieces of its repository that only load datasets or print progress, and numpy aliases
(np.float, np.bool) that numpy 1.24 removed. Nothing in the reference code is changed.

Outputs per case (tests/fixtures/eval/CASE/): gt.csv and dets.csv in ovad's formats (eval/csv.h),
extra inputs (tubelets), and expected.txt:
    ap KEY CLASS VALUE      per-class AP as a fraction, nan for a class without ground truth
    map KEY VALUE           the reference's mean
    tube KEY VIDEO CLASS SCORE N  followed by N lines `frame x1 y1 x2 y2`
KEY names the evaluation (tf@0.5, act@0.5, video-openmixer#i, video-moc#i, video-act#i, ava@0.5,
with i indexing the thresholds 0.2, 0.5, 0.75, 0.5, 0.55, ..., 0.95 of eval/video_map.h).
The grounding case has samples.txt (segments, TubeDETR's sampled frames, boxes) and
expected.txt with `sample I TIOU VIOU GT_VIOU` and `metric NAME VALUE` lines.
"""
import builtins
import copy
import importlib
import json
import math
import os
import pickle
import random
import shutil
import subprocess
import sys
import tempfile
import types

import numpy as np

VIDEO_THRESHOLDS = [0.2, 0.5, 0.75] + [0.5 + 0.05 * i for i in range(10)]


# ----------------------------------------------------------------------------------------------
# random data


def walk_tube(rng, f0, f1, W, H, tiny=False):
    """Integer boxes [f, x1, y1, x2, y2] drifting a few pixels per frame."""
    w, h = (2, 3) if tiny else (rng.randint(30, 120), rng.randint(60, 200))
    x, y = rng.randint(0, W - w - 1), rng.randint(0, H - h - 1)
    rows = []
    for f in range(f0, f1 + 1):
        rows.append([f, x, y, x + w, y + h])
        x = min(max(x + rng.randint(-4, 4), 0), W - w - 1)
        y = min(max(y + rng.randint(-3, 3), 0), H - h - 1)
        if not tiny:
            w = min(max(w + rng.randint(-2, 2), 20), W - x - 1)
            h = min(max(h + rng.randint(-2, 2), 40), H - y - 1)
    return rows


def jitter(rng, box, s):
    x1, y1, x2, y2 = box
    w, h = x2 - x1, y2 - y1
    b = [x1 + rng.gauss(0, s * w), y1 + rng.gauss(0, s * h), x2 + rng.gauss(0, s * w), y2 + rng.gauss(0, s * h)]
    return [round(v, 2) for v in b]


def rand_box(rng, W, H):
    x1, y1 = rng.uniform(0, W - 40), rng.uniform(0, H - 60)
    return [round(x1, 2), round(y1, 2), round(x1 + rng.uniform(20, 120), 2), round(y1 + rng.uniform(40, 180), 2)]


def make_video_case(rng, labels, nvid, fr_range, multi, tiny_p, rate, W=320, H=240, det_all_frames=True):
    """Videos with tubes; detections on every frame (rate 1) or on the keyframes (rate 5)."""
    videos, nframes, gttubes = [], {}, {}
    for i in range(nvid):
        c = i % len(labels)
        v = "%s/v_%s_g%02d_c%d" % (labels[c], labels[c], i, rng.randint(1, 4))
        n = rng.randint(*fr_range)
        tubes = {}
        a = rng.randint(1, max(1, n // 4))
        b = rng.randint(min(n, a + 9), n)
        tiny = rng.random() < tiny_p
        rows = walk_tube(rng, a, b, W, H)
        if tiny:  # one or two frames whose only box is under 10 px^2
            for k in rng.sample(range(len(rows)), 2):
                rows[k] = [rows[k][0], rows[k][1], rows[k][2], rows[k][1] + 2, rows[k][2] + 3]
        tubes.setdefault(c, []).append(np.array(rows, dtype=np.float32))
        if not tiny and rng.random() < multi:
            c2 = rng.randrange(len(labels)) if rng.random() < 0.6 else c
            a2 = rng.randint(1, n - 5)
            b2 = rng.randint(a2 + 4, n)
            tubes.setdefault(c2, []).append(np.array(walk_tube(rng, a2, b2, W, H), dtype=np.float32))
        videos.append(v)
        nframes[v] = n
        gttubes[v] = tubes
    # keyframes: every rate-th annotated frame
    keyframes = {}
    for v in videos:
        fr = sorted({int(r[0]) for tl in gttubes[v].values() for t in tl for r in t})
        keyframes[v] = fr[::rate]
    # detections: each ground-truth tube is followed by a track of one class (mostly its own),
    # of a quality, base score and miss rate of its own; plus confusions and random boxes
    kset = {v: set(keyframes[v]) for v in videos}
    dets = []  # (video, frame, x1, y1, x2, y2, label, score)
    for v in videos:
        for c, tl in gttubes[v].items():
            for t in tl:
                q = rng.choice([0.01, 0.025, 0.05, 0.12])
                base = rng.random()
                miss = rng.choice([0.0, 0.0, 0.05, 0.25])
                lab = c if rng.random() < 0.85 else rng.randrange(len(labels))
                for r in t:
                    f = int(r[0])
                    if not det_all_frames and f not in kset[v]:
                        continue
                    box = [float(x) for x in r[1:5]]
                    if rng.random() >= miss:
                        s = min(max(0.3 + 0.6 * base + rng.gauss(0, 0.05), 0.001), 0.999)
                        dets.append([v, f] + jitter(rng, box, q) + [lab, s])
                    if rng.random() < 0.25:
                        dets.append([v, f] + jitter(rng, box, 0.08) + [rng.randrange(len(labels)), rng.random() * 0.7])
        frames = range(1, nframes[v] + 1) if det_all_frames else keyframes[v]
        for f in frames:
            for _ in range(np.random.RandomState(rng.randrange(1 << 30)).poisson(0.5)):
                b = rand_box(rng, W, H)
                if rng.random() < 0.01:
                    b[0], b[2] = b[2], b[0]  # an invalid box (x2 < x1)
                dets.append([v, f] + b + [rng.randrange(len(labels)), rng.random() * 0.8])
    dets.sort(key=lambda d: (videos.index(d[0]), d[1]))
    # scores as exactly representable decimal strings (repr round-trips) without ties
    seen = set()
    for d in dets:
        while d[7] in seen:
            d[7] = rng.random()
        seen.add(d[7])
    return dict(labels=labels, videos=videos, nframes=nframes, gttubes=gttubes, keyframes=keyframes,
                dets=dets, W=W, H=H, rate=rate)


# ----------------------------------------------------------------------------------------------
# ovad CSV writers (eval/csv.h)


def write_gt_csv(path, case, keyframes=False):
    with open(path, "w") as f:
        f.write("# ovad ground truth v1\n")
        for l in case["labels"]:
            f.write("label,%s\n" % l)
        for v in case["videos"]:
            f.write("video,%s,%d,%d,%d\n" % (v, case["nframes"][v], case["W"], case["H"]))
            tid = 0
            for c in sorted(case["gttubes"][v]):
                for t in case["gttubes"][v][c]:
                    for r in t:
                        f.write("box,%s,%d,%s,%d,%d,%d,%d,%d\n" % (v, tid, case["labels"][c], r[0], r[1], r[2], r[3], r[4]))
                    tid += 1
            if keyframes:
                for k in case["keyframes"][v]:
                    f.write("keyframe,%s,%d\n" % (v, k))
            f.write("test,1,%s\n" % v)


def write_dets_csv(path, case):
    with open(path, "w") as f:
        f.write("video,frame,x1,y1,x2,y2,label,score\n")
        for d in case["dets"]:
            f.write("%s,%d,%s,%s,%s,%s,%s,%r\n" % (d[0], d[1], d[2], d[3], d[4], d[5], case["labels"][d[6]], d[7]))


def gt_order(case):
    """The tubes of each video in the order write_gt_csv gives them (classes ascending)."""
    return {v: {c: case["gttubes"][v][c] for c in sorted(case["gttubes"][v])} for v in case["videos"]}


# ----------------------------------------------------------------------------------------------
# the references, each in its own process


def numpy_aliases():
    np.float = float
    np.bool = bool
    np.int = int


def stub(name, **attrs):
    m = types.ModuleType(name)
    m.__dict__.update(attrs)
    sys.modules[name] = m
    return m


def ref_openmixer(refdir, work):
    """OpenMixer: pascal_wrapper.frame_mAP_pascal (TF-OD) and evaluate_map.videoAP."""
    numpy_aliases()
    pkg = stub("omeval")
    pkg.__path__ = [os.path.join(refdir, "om")]  # skip the package __init__ (it imports the model zoo)
    pw = importlib.import_module("omeval.pascal_wrapper")
    em = importlib.import_module("omeval.evaluate_map")
    import logging
    logger = logging.getLogger("ref")
    out = {}
    for name in ("jhmdb", "ucf"):
        with open(os.path.join(work, name + ".pkl"), "rb") as f:
            case = pickle.load(f)
        labels, W, H = case["labels"], case["W"], case["H"]
        gtt = gt_order(case)
        res = {"ap": [], "map": [], "tube": []}
        # --- frame-mAP: OpenMixer's targets are the keyframes, boxes normalised in float32
        targets, results = {}, {}
        for v in case["videos"]:
            for fr in case["keyframes"][v]:
                boxes, labs = [], []
                for c, tl in gtt[v].items():
                    for t in tl:
                        r = t[t[:, 0] == fr]
                        if len(r):
                            boxes.append(r[0, 1:5])
                            labs.append(c + 1)
                b = np.array(boxes, dtype=np.float32)
                b[:, [0, 2]] /= float(W)
                b[:, [1, 3]] /= float(H)
                targets["%s,%05d" % (v, fr)] = {"bbox": b, "labels": labs, "resolution": (H, W)}
        bykey = {}
        for d in case["dets"]:
            if d[1] in case["keyframes"][d[0]]:  # OpenMixer predicts on its samples only
                bykey.setdefault("%s,%05d" % (d[0], d[1]), []).append(d)
        for k, ds in bykey.items():
            b = np.array([d[2:6] for d in ds], dtype=np.float32)
            b[:, [0, 2]] /= np.float32(W)
            b[:, [1, 3]] /= np.float32(H)
            results[k] = {"boxes": b, "scores": np.array([d[7] for d in ds], dtype=np.float32),
                          "action_ids": np.array([d[6] + 1 for d in ds])}
        for thr in (0.5, 0.2):
            r = pw.frame_mAP_pascal(copy.deepcopy(results), targets, labels, logger, iou_list=[thr])
            key = "tf@%g" % thr
            for c, l in enumerate(labels):
                res["ap"].append((key, c, r["PascalBoxes_PerformanceByCategory/AP@%sIOU/%s" % (thr, l)]))
            res["map"].append((key, r["PascalBoxes_Precision/mAP@%sIOU" % thr]))
        # --- video-mAP: prediction_to_tubes on every detection, in sample order
        dets_csv = {}
        for v in case["videos"]:
            for fr in range(1, case["nframes"][v] + 1):
                ds = [d for d in case["dets"] if d[0] == v and d[1] == fr]
                if ds:
                    dets_csv["%s,%05d" % (v, fr)] = {
                        "boxes": np.array([d[2:6] for d in ds], dtype=np.float64),
                        "scores": np.array([d[7] for d in ds], dtype=np.float64),
                        "action_ids": np.array([d[6] for d in ds])}
        tubes = em.prediction_to_tubes(dets_csv, anno_rate=case["rate"])
        for c, tl in tubes.items():
            for (v, score, t) in tl:
                res["tube"].append(("video-openmixer", case["videos"].index(v), int(c), float(score),
                                    [[float(x) for x in row[:5]] for row in t]))
        gt = {"videos": case["videos"], "labels": labels,
              "gttubes": {v: {c: [t.copy() for t in tl] for c, tl in gtt[v].items()} for v in case["videos"]}}
        for i, thr in enumerate(VIDEO_THRESHOLDS):
            r = em.videoAP(gt, tubes, thr, anno_rate=case["rate"], print_info=False)
            key = "video-openmixer#%d" % i
            for c, l in enumerate(labels):
                res["ap"].append((key, c, r.get("PascalBoxes_PerformanceByCategory/AP@%sIOU/%s" % (thr, l), float("nan")) / 100))
            res["map"].append((key, r["PascalBoxes_Precision/mAP@%sIOU" % thr] / 100))
        out[name] = res
    return out


class MocDataset:
    """MOC's Dataset interface over a case (only what ACT.py / ACT_build.py read)."""

    def __init__(self, case):
        self.labels = case["labels"]
        self._test_videos = [case["videos"]]
        self._nframes = case["nframes"]
        self._resolution = {v: (case["H"], case["W"]) for v in case["videos"]}
        self._gttubes = {v: {c: [t.copy() for t in tl] for c, tl in gt_order(case)[v].items()} for v in case["videos"]}


def moc_modules(refdir, case_holder):
    class Bar:
        suffix = ""

        def __init__(self, *a, **k):
            self.elapsed_td = self.eta_td = 0

        def next(self):
            pass

        def finish(self):
            pass

    stub("progress")
    stub("progress.bar", Bar=Bar)
    stub("datasets")
    stub("datasets.init_dataset", get_dataset=lambda name: (lambda opt, split: MocDataset(case_holder[0])))
    stub("opts", opts=object)
    sys.path.insert(0, os.path.join(refdir, "moc"))
    import ACT
    return ACT


def tubes_of(work_dir, videos, nlabels):
    out = []
    for iv, v in enumerate(videos):
        with open(os.path.join(work_dir, v + "_tubes.pkl"), "rb") as f:
            res = pickle.load(f)
        for c in range(nlabels):
            for t in res[c]:
                out.append((iv, c, float(t[1]), [[float(x) for x in row[:5]] for row in t[0]]))
    return out


def ref_moc(refdir, work):
    """MOC-Detector ACT.py: frameAP, BuildTubes (K = 1 on per-frame detections, K = 3 on
    tubelets) and videoAP."""
    numpy_aliases()
    holder = [None]
    ACT = moc_modules(refdir, holder)
    calls = []
    real_pr_to_ap = ACT.pr_to_ap
    ACT.pr_to_ap = lambda pr: calls.append(real_pr_to_ap(pr)) or calls[-1]
    out = {}
    for name in ("jhmdb", "tubelets"):
        with open(os.path.join(work, name + ".pkl"), "rb") as f:
            case = pickle.load(f)
        holder[0] = case
        res = {"ap": [], "map": [], "tube": []}
        inf = tempfile.mkdtemp(dir=work)
        opt = types.SimpleNamespace(redo=True, th=0.5, model_name="ref", inference_dir=inf, split=1, dataset="x",
                                    root_dir=inf, K=1, exp_id="x")
        labels = case["labels"]
        if name == "jhmdb":
            # frame-mAP from per-frame detections: frame_detections.pkl is what load_frame_detections
            # would have written, [video index, frame, label, score, x1, y1, x2, y2]
            alldets = np.array([[case["videos"].index(d[0]), d[1], d[6], d[7]] + d[2:6] for d in case["dets"]],
                               dtype=np.float64)
            with open(os.path.join(inf, "frame_detections.pkl"), "wb") as f:
                pickle.dump(alldets, f)
            opt.redo = False
            calls.clear()
            m = ACT.frameAP(opt, print_info=False)
            for c in range(len(labels)):
                res["ap"].append(("act@0.5", c, float(calls[c])))
            res["map"].append(("act@0.5", float(m) / 100))
            opt.redo = True
            # BuildTubes with K = 1: one pkl per frame, {label + 1: (N, 5)}
            K = 1
            for v in case["videos"]:
                os.makedirs(os.path.join(inf, v), exist_ok=True)
                for fr in range(1, case["nframes"][v] + 1):
                    per = {c + 1: np.array([d[2:6] + [d[7]] for d in case["dets"] if d[0] == v and d[1] == fr and d[6] == c],
                                           dtype=np.float64).reshape(-1, 4 * K + 1) for c in range(len(labels))}
                    with open(os.path.join(inf, v, "%05d.pkl" % fr), "wb") as f:
                        pickle.dump(per, f)
            key = "video-moc"
        else:
            K = 3
            opt.K = K
            for v in case["videos"]:
                os.makedirs(os.path.join(inf, v), exist_ok=True)
                for s in range(1, case["nframes"][v] - K + 2):
                    per = {c + 1: np.array([t["boxes"] + [t["score"]] for t in case["tubelets3"]
                                            if t["video"] == v and t["start"] == s and t["label"] == c],
                                           dtype=np.float64).reshape(-1, 4 * K + 1) for c in range(len(labels))}
                    with open(os.path.join(inf, v, "%05d.pkl" % s), "wb") as f:
                        pickle.dump(per, f)
            key = "video-moc3"
        ACT.BuildTubes(opt)
        for t in tubes_of(inf, case["videos"], len(labels)):
            res["tube"].append((key,) + t)
        for i, thr in enumerate(VIDEO_THRESHOLDS):
            opt.th = thr
            calls.clear()
            m = ACT.videoAP(opt, print_info=False)
            for c in range(len(labels)):
                res["ap"].append(("%s#%d" % (key, i), c, float(calls[c])))
            res["map"].append(("%s#%d" % (key, i), float(m) / 100))
        out[name] = res
        shutil.rmtree(inf)
    return out


def ref_act(refdir, work):
    """The original ACT scripts (Python 3 fork): BuildTubes with K = 6 and videoAP."""
    numpy_aliases()
    with open(os.path.join(work, "tubelets.pkl"), "rb") as f:
        case = pickle.load(f)

    class Dataset:
        def __init__(self):
            self.labels = case["labels"]

        @property
        def nlabels(self):
            return len(self.labels)

        def test_vlist(self):
            return case["videos"]

        def nframes(self, v):
            return case["nframes"][v]

        def resolution(self, v):
            return (case["H"], case["W"])

        def gttubes(self, v):  # a fresh copy: videoAP deletes matched tubes from it
            return {c: [t.copy() for t in tl] for c, tl in gt_order(case)[v].items()}

        def frame_format(self, v, i):
            return os.path.join(v, "%05d" % i)

    stub("cv2")
    stub("caffe")
    stub("Dataset", GetDataset=lambda name: Dataset())
    sys.path.insert(0, os.path.join(refdir, "act"))
    import ACT
    ACT.range = lambda *a: list(builtins.range(*a))  # ACT.py concatenates range(4*K) + [..] (Python 2)
    root = tempfile.mkdtemp(dir=work)
    os.makedirs(os.path.join(root, "scripts"))
    ACT.__file__ = os.path.join(root, "scripts", "ACT.py")  # its results go to ../results/ACT-detector/
    dirname = os.path.join(root, "results", "ACT-detector", "x")
    K = ACT.K
    L = len(case["labels"])
    for v in case["videos"]:
        os.makedirs(os.path.join(dirname, v), exist_ok=True)
        for s in range(1, case["nframes"][v] - K + 2):
            rows = [t["boxes"] + [0.0] + t["scores"] for t in case["tubelets6"] if t["video"] == v and t["start"] == s]
            dets_all = np.array(rows, dtype=np.float64).reshape(-1, 4 * K + 1 + L)
            with open(os.path.join(dirname, v, "%05d.pkl" % s), "wb") as f:
                pickle.dump((np.zeros((0, 2 + 4 * K)), dets_all), f)
    calls = []
    real = ACT.pr_to_ap
    ACT.pr_to_ap = lambda pr: calls.append(real(pr)) or calls[-1]
    ACT.BuildTubes("x", redo=True)
    res = {"ap": [], "map": [], "tube": []}
    for t in tubes_of(dirname, case["videos"], L):
        res["tube"].append(("video-act6",) + t)
    for i, thr in enumerate(VIDEO_THRESHOLDS):
        calls.clear()
        ACT.videoAP("x", th=thr, redo=True)
        for c in range(L):
            res["ap"].append(("video-act6#%d" % i, c, float(calls[c])))
        res["map"].append(("video-act6#%d" % i, float(np.mean(np.array(calls) * 100)) / 100))
    if not os.environ.get("OVAD_KEEP_WORK"):
        shutil.rmtree(root)
    return {"tubelets": res}


def ref_ava(refdir, work):
    """ActivityNet get_ava_performance.py (v2.2, with the excluded-timestamps file)."""
    numpy_aliases()
    sys.path.insert(0, os.path.join(refdir, "anet"))
    sys.path.insert(0, os.path.join(refdir, "anet", "ava"))
    import get_ava_performance as gap
    got = {}
    gap.pprint = types.SimpleNamespace(pprint=lambda m, indent=0: got.update(m), pformat=lambda *a, **k: "")
    with open(os.path.join(work, "ava.pkl"), "rb") as f:
        case = pickle.load(f)
    with open(os.path.join(work, "ava_labelmap.pbtxt")) as l, open(os.path.join(work, "ava_gt.csv")) as g, \
            open(os.path.join(work, "ava_dets.csv")) as d, open(os.path.join(work, "ava_excluded.csv")) as e:
        gap.run_evaluation(l, g, d, e)
    res = {"ap": [], "map": [], "tube": []}
    for c, name in enumerate(case["labels"]):
        res["ap"].append(("ava@0.5", c, float(got["PascalBoxes_PerformanceByCategory/AP@0.5IOU/%s" % name])))
    res["map"].append(("ava@0.5", float(got["PascalBoxes_Precision/mAP@0.5IOU"])))
    return {"ava": res}


def ref_tubedetr(refdir, work):
    """TubeDETR's HC-STVG evaluator (HCSTVGGiouEvaluator.evaluate, summarised as
    HCSTVGEvaluator.summarize does)."""
    root = os.path.join(refdir, "tubedetr")
    for name in ("datasets", "util"):  # the packages' __init__ build whole datasets and models
        stub(name).__path__ = [os.path.join(root, name)]
    stub("util.dist")  # the multi-process helpers (only imported)
    ev = importlib.import_module("datasets.hcstvg_eval")
    with open(os.path.join(work, "grounding.pkl"), "rb") as f:
        case = pickle.load(f)
    d = tempfile.mkdtemp(dir=work)
    with open(os.path.join(d, "valv2_proc.json"), "w") as f:
        json.dump(case["anns"], f)
    e = ev.HCSTVGGiouEvaluator(d, subset="val", verbose=False, v2=True)
    frames = {v: e.vid2imgids[v][0] for v in e.vid2imgids}
    preds = {}
    for a in case["anns"]:
        v = a["video_id"]
        for fr in frames[v]:
            preds["%d_%d" % (v, fr)] = {"boxes": [case["pred_boxes"][v][fr]]}
    res = e.evaluate(preds, {v: {"sted": case["sted"][v]} for v in frames})
    out = {"samples": [], "frames": frames, "metrics": {}}
    for a in case["anns"]:
        r = res[a["video_id"]]
        out["samples"].append((float(r["tiou"]), float(r["viou"]), float(r["gt_viou"])))
    n = len(res)
    m = out["metrics"]
    for key in ("tiou", "viou", "gt_viou", "viou@0.3", "viou@0.5", "gt_viou@0.3", "gt_viou@0.5"):
        m[key] = sum(float(r[key]) for r in res.values()) / n
    return {"grounding": out}


def make_grounding_case(rng):
    anns, pred_boxes, sted = [], {}, {}
    for i in range(40):
        n = rng.randint(300, 620)  # 20 s at 15..31 fps
        s = rng.randint(0, n // 2)
        e = rng.randint(s + 5, n - 1)
        traj, x, y = [], rng.uniform(0, 200), rng.uniform(0, 100)
        for fr in range(s, e):
            w, h = 60 + 10 * math.sin(fr / 9), 120 + 5 * math.cos(fr / 7)
            traj.append([round(x, 2), round(y, 2), round(w, 2), round(h, 2)])
            x, y = min(max(x + rng.uniform(-2, 2), 0), 250), min(max(y + rng.uniform(-1, 1), 0), 100)
        anns.append({"video_id": i, "frame_count": n, "tube_start_frame": s, "tube_end_frame": e, "trajectory": traj})
        kind = rng.random()
        if kind < 0.1:
            ps, pe = rng.randint(0, n - 3), None
            pe = rng.randint(ps + 1, n)
        else:
            ps, pe = max(0, s + rng.randint(-40, 40)), min(n, e + rng.randint(-40, 40))
            if pe <= ps:
                pe = ps + 1
        sted[i] = [ps, pe]
        q = rng.choice([0.0, 0.03, 0.1, 0.4])
        boxes = {}
        for fr in range(n):
            if s <= fr < e:
                bx, by, bw, bh = traj[fr - s]
                b = [bx + rng.gauss(0, q * bw), by + rng.gauss(0, q * bh), bx + bw + rng.gauss(0, q * bw), by + bh + rng.gauss(0, q * bh)]
            else:
                b = [10.0, 10.0, 50.0, 90.0]
            boxes[fr] = [round(v, 2) for v in b]
        pred_boxes[i] = boxes
    return dict(anns=anns, pred_boxes=pred_boxes, sted=sted)


def write_grounding(case, ref, outdir):
    with open(os.path.join(outdir, "samples.txt"), "w") as f:
        f.write("# sample GT_BEGIN GT_END PRED_BEGIN PRED_END N, then per evaluated frame (TubeDETR's 5 fps "
                "sampling):\n# frame gt_x1 gt_y1 gt_x2 gt_y2 pred_x1 pred_y1 pred_x2 pred_y2 (gt 0 outside its segment)\n")
        for a in case["anns"]:
            v, s, e = a["video_id"], a["tube_start_frame"], a["tube_end_frame"]
            fr = ref["frames"][v]
            f.write("sample %d %d %d %d %d\n" % (s, e, case["sted"][v][0], case["sted"][v][1], len(fr)))
            for x in fr:
                if s <= x < e:
                    bx, by, bw, bh = a["trajectory"][x - s]
                    g = [bx, by, bx + bw, by + bh]
                else:
                    g = [0, 0, 0, 0]
                f.write("%d %s %s\n" % (x, " ".join(repr(float(t)) for t in g),
                                        " ".join(repr(float(t)) for t in case["pred_boxes"][v][x])))
    with open(os.path.join(outdir, "expected.txt"), "w") as f:
        f.write("# reference outputs (TubeDETR datasets/hcstvg_eval.py), written by tools/gen_eval_fixtures.py\n")
        for i, (t, v, g) in enumerate(ref["samples"]):
            f.write("sample %d %r %r %r\n" % (i, t, v, g))
        for k, v in ref["metrics"].items():
            f.write("metric %s %r\n" % (k, v))


REFS = {"openmixer": ref_openmixer, "moc": ref_moc, "act": ref_act, "ava": ref_ava, "tubedetr": ref_tubedetr}


# ----------------------------------------------------------------------------------------------
# the cases


def make_tubelets_case(rng):
    labels = ["Fencing", "Diving", "Biking"]
    case = make_video_case(rng, labels, 6, (20, 36), 0.5, 0.0, 1)
    case["dets"] = []
    for K, key in ((3, "tubelets3"), (6, "tubelets6")):
        tl = []
        for v in case["videos"]:
            n = case["nframes"][v]
            for s in range(1, n - K + 2):
                rows = []
                for c, tubes in case["gttubes"][v].items():
                    for t in tubes:
                        fr = t[:, 0]
                        if s in fr and s + K - 1 in fr and rng.random() < 0.9:
                            boxes = []
                            for k in range(K):
                                boxes += jitter(rng, [float(x) for x in t[fr == s + k][0, 1:5]], 0.04)
                            rows.append((c, boxes))
                for _ in range(rng.randint(0, 4)):
                    b = rand_box(rng, case["W"], case["H"])
                    boxes = []
                    for k in range(K):
                        boxes += [round(b[0] + 2 * k, 2), round(b[1] + k, 2), round(b[2] + 2 * k, 2), round(b[3] + k, 2)]
                    rows.append((rng.randrange(len(labels)), boxes))
                for c, boxes in rows:
                    if K == 3:  # MOC: one row per class, its own score
                        tl.append(dict(video=v, start=s, label=c, boxes=boxes, score=rng.random() * 0.6 + 0.4))
                        if rng.random() < 0.4:
                            tl.append(dict(video=v, start=s, label=rng.randrange(len(labels)), boxes=boxes, score=rng.random() * 0.5))
                    else:  # ACT: shared boxes, a score for every class
                        sc = [rng.random() * 0.3 for _ in labels]
                        sc[c] = rng.random() * 0.6 + 0.4
                        tl.append(dict(video=v, start=s, boxes=boxes, scores=sc))
        case[key] = tl
    return case


def make_ava_case(rng):
    ids = list(range(1, 11))
    names = {i: "action %02d (a/b)" % i for i in ids}
    evaluated = [1, 2, 3, 5, 6, 8, 9]
    videos = ["vid%04dAbC-_" % (i * 37) for i in range(5)]
    gt_rows, det_rows, excluded = [], [], []
    for v in videos:
        for ts in range(902, 916):
            persons = [rand_box(rng, 1.0 * 320, 1.0 * 240) for _ in range(rng.randint(0, 4))] if rng.random() < 0.85 else []
            boxes = [[round(min(max(b[0] / 320, 0), 1), 3), round(min(max(b[1] / 240, 0), 1), 3),
                      round(min(b[2] / 320, 1), 3), round(min(b[3] / 240, 1), 3)] for b in persons]
            for b in boxes:
                for a in rng.sample(ids, rng.randint(1, 3)):
                    gt_rows.append((v, ts, b, a))
                    if rng.random() < 0.8:
                        j = [round(min(max(x + rng.gauss(0, 0.03), 0), 1), 3) for x in b]
                        det_rows.append([v, ts, j, a, rng.random() * 0.5 + 0.5])
            n = 70 if rng.random() < 0.15 else rng.randint(0, 6)
            for _ in range(n):
                x1, y1 = rng.random() * 0.8, rng.random() * 0.7
                b = [round(x1, 3), round(y1, 3), round(x1 + rng.random() * 0.3, 3), round(y1 + rng.random() * 0.4, 3)]
                if rng.random() < 0.02:
                    b[1], b[3] = b[3], b[1]
                det_rows.append([v, ts, b, rng.choice(ids), rng.random() * 0.9])
            if rng.random() < 0.12:
                excluded.append((v, ts))
    seen = set()
    for d in det_rows:
        while d[4] in seen:
            d[4] = rng.random()
        seen.add(d[4])
    return dict(ids=ids, names=names, evaluated=evaluated, videos=videos, gt=gt_rows, dets=det_rows,
                excluded=excluded, labels=[names[i] for i in evaluated])


def write_ava(case, work, outdir):
    with open(os.path.join(work, "ava_labelmap.pbtxt"), "w") as f:
        for i in case["evaluated"]:
            f.write('item {\n  name: "%s"\n  id: %d\n}\n' % (case["names"][i], i))
    with open(os.path.join(work, "ava_gt.csv"), "w") as f:
        for v, ts, b, a in case["gt"]:
            f.write("%s,%04d,%.3f,%.3f,%.3f,%.3f,%d,%d\n" % (v, ts, b[0], b[1], b[2], b[3], a, 1))
    with open(os.path.join(work, "ava_dets.csv"), "w") as f:
        for v, ts, b, a, s in case["dets"]:
            f.write("%s,%04d,%.3f,%.3f,%.3f,%.3f,%d,%r\n" % (v, ts, b[0], b[1], b[2], b[3], a, s))
    with open(os.path.join(work, "ava_excluded.csv"), "w") as f:
        for v, ts in case["excluded"]:
            f.write("%s,%04d\n" % (v, ts))
    # the same data in ovad's formats: classes of the label map only, (box, action) rows as
    # one-frame tubes, frame = the second
    with open(os.path.join(outdir, "gt.csv"), "w") as f:
        f.write("# ovad ground truth v1\n")
        for i in case["evaluated"]:
            f.write("label,%s\n" % case["names"][i])
        for v in case["videos"]:
            f.write("video,%s,0,0,0\n" % v)
        for k, (v, ts, b, a) in enumerate(case["gt"]):
            if a in case["evaluated"]:
                f.write("box,%s,%d,%s,%d,%.3f,%.3f,%.3f,%.3f\n" % (v, k, case["names"][a], ts, b[0], b[1], b[2], b[3]))
        for v, ts in case["excluded"]:
            f.write("exclude,%s,%d\n" % (v, ts))
    with open(os.path.join(outdir, "dets.csv"), "w") as f:
        f.write("video,frame,x1,y1,x2,y2,label,score\n")
        for v, ts, b, a, s in case["dets"]:
            f.write('%s,%d,%.3f,%.3f,%.3f,%.3f,"%s",%r\n' % (v, ts, b[0], b[1], b[2], b[3], case["names"][a], s))


def write_tubelets(path, case, key, K):
    with open(path, "w") as f:
        f.write("# video start label score then K=%d boxes x1 y1 x2 y2 (ground truth order of gt.csv)\n" % K)
        for t in case[key]:
            iv = case["videos"].index(t["video"])
            if K == 3:
                f.write("%d %d %d %r %s\n" % (iv, t["start"], t["label"], t["score"], " ".join(repr(x) for x in t["boxes"])))
            else:
                for c, s in enumerate(t["scores"]):
                    f.write("%d %d %d %r %s\n" % (iv, t["start"], c, s, " ".join(repr(x) for x in t["boxes"])))


def write_expected(path, results, source):
    with open(path, "w") as f:
        f.write("# reference outputs (%s), written by tools/gen_eval_fixtures.py\n" % source)
        for key, c, v in results["ap"]:
            f.write("ap %s %d %r\n" % (key, c, float(v)))
        for key, v in results["map"]:
            f.write("map %s %r\n" % (key, float(v)))
        for key, iv, c, score, rows in results["tube"]:
            f.write("tube %s %d %d %r %d\n" % (key, iv, c, score, len(rows)))
            for r in rows:
                f.write("%d %r %r %r %r\n" % (int(r[0]), r[1], r[2], r[3], r[4]))


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "ref":
        name, refdir, work = sys.argv[2], sys.argv[3], sys.argv[4]
        out = REFS[name](refdir, work)
        if not out:
            sys.exit("reference %s gave no result" % name)
        with open(os.path.join(work, "out_%s.pkl" % name), "wb") as f:
            pickle.dump(out, f)
        return
    refdir = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("OVAD_EVAL_REFS")
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                 "tests", "fixtures", "eval")
    if not refdir or len(sys.argv) > 3:
        # `make fixtures` runs every generator without arguments: without the reference code
        # there is nothing to regenerate, and the committed fixtures stay as they are.
        print("gen_eval_fixtures.py: skipped (the reference evaluators are needed: set OVAD_EVAL_REFS=REFDIR or "
              "pass REFDIR; see the docstring)")
        return
    refdir = os.path.abspath(refdir)
    work = tempfile.mkdtemp(prefix="ovad-evalfix-")
    rng = random.Random(20240611)
    cases = {
        "jhmdb": make_video_case(rng, ["brush_hair", "catch", "clap", "climb_stairs", "golf", "jump", "kick_ball"],
                                 24, (15, 40), 0.35, 0.2, 1),
        "ucf": make_video_case(rng, ["Basketball", "CliffDiving", "Fencing", "IceDancing", "Skijet"],
                               16, (40, 100), 0.5, 0.0, 5, det_all_frames=False),
        "tubelets": make_tubelets_case(rng),
    }
    ava = make_ava_case(rng)
    grounding = make_grounding_case(rng)
    with open(os.path.join(work, "grounding.pkl"), "wb") as f:
        pickle.dump(grounding, f)
    for name, case in cases.items():
        with open(os.path.join(work, name + ".pkl"), "wb") as f:
            pickle.dump(case, f)
    with open(os.path.join(work, "ava.pkl"), "wb") as f:
        pickle.dump(ava, f)
    os.makedirs(os.path.join(outdir, "ava"), exist_ok=True)
    write_ava(ava, work, os.path.join(outdir, "ava"))
    results = {}
    for ref in REFS:
        subprocess.run([sys.executable, os.path.abspath(__file__), "ref", ref, refdir, work], check=True,
                       stdout=subprocess.DEVNULL)
        with open(os.path.join(work, "out_%s.pkl" % ref), "rb") as f:
            for case, r in pickle.load(f).items():
                if case == "grounding":
                    os.makedirs(os.path.join(outdir, case), exist_ok=True)
                    write_grounding(grounding, r, os.path.join(outdir, case))
                    continue
                acc = results.setdefault(case, {"ap": [], "map": [], "tube": [], "src": []})
                for k in ("ap", "map", "tube"):
                    acc[k] += r[k]
                acc["src"].append(ref)
    for name in ("jhmdb", "ucf", "tubelets", "ava"):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        if name != "ava":
            write_gt_csv(os.path.join(d, "gt.csv"), cases[name])
            write_dets_csv(os.path.join(d, "dets.csv"), cases[name])
        if name == "tubelets":
            write_tubelets(os.path.join(d, "tubelets3.txt"), cases[name], "tubelets3", 3)
            write_tubelets(os.path.join(d, "tubelets6.txt"), cases[name], "tubelets6", 6)
        write_expected(os.path.join(d, "expected.txt"), results[name], ", ".join(results[name]["src"]))
    if os.environ.get("OVAD_KEEP_WORK"):
        print("inputs kept in", work)
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
