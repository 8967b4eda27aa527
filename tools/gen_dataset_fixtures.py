#!/usr/bin/python3
"""gen_dataset_fixtures.py: the binary dataset fixtures of tests/test_datasets*.c, written by the
libraries that write the real files (pickle + numpy, scipy.io.savemat). The text fixtures beside
them (AVA CSVs, YOWO folders, HC-STVG/VidSTG JSON, splits, vocabularies) are written by hand.

  numpy_arrays.p{2,4,5}.pkl  a dict of arrays of every dtype the reader converts (float16/32/64,
                             int8..int64, uint8..uint64, bool), big-endian and Fortran-order ones,
                             0-d and empty ones, and numpy scalars; numpy_expected.txt lists each
                             array's shape and values as the C test prints them
  act_tiny.p{0,2,5}.pkl      an ACT ground-truth pickle (labels, gttubes, nframes, train/test
                             lists, resolution) with 3 labels, 4 videos and 2 splits: numpy int64
                             nframes, float64 tubes, a tube row past the video's end (dropped)
  maskrcnn_tiny.pkl          OpenMixer's JHMDB-MaskRCNN.pkl layout: numpy.int64 frame keys
  ava_proposals_tiny.pkl     mmaction2's ava_dense_proposals layout: "vid,%04d" -> (n, 5)
  ucf24_tiny.mat             finalAnnots.mat layout (MATLAB 5, compressed): 3 videos, uint8 and
                             uint16 fields, a video with two tubes; ucf24_tiny_raw.mat the same
                             uncompressed (byte flips then reach the array headers directly)

Usage: /usr/bin/python3 tools/gen_dataset_fixtures.py [tests/fixtures/datasets]
The output is deterministic (fixed values, no random draws)."""
import os
import pickle
import sys

import numpy as np
import scipy.io


def arrays():
    a = {}
    a["f32"] = np.array([[1.5, -2.25, 3.0], [4.0, 5.5, -0.125]], dtype=np.float32)
    a["f64"] = np.array([0.1, 1e10, -7.0], dtype=np.float64)
    a["f16"] = np.array([1.0, -0.5, 65504.0], dtype=np.float16)
    a["i8"] = np.array([-128, 0, 127], dtype=np.int8)
    a["i16"] = np.array([-32768, 5, 32767], dtype=np.int16)
    a["i32"] = np.array([[-2147483648], [7], [2147483647]], dtype=np.int32)
    a["i64"] = np.array([-(2 ** 62), 3, 2 ** 62], dtype=np.int64)
    a["u8"] = np.array([0, 200, 255], dtype=np.uint8)
    a["u16"] = np.array([0, 40000, 65535], dtype=np.uint16)
    a["u32"] = np.array([0, 4000000000], dtype=np.uint32)
    a["u64"] = np.array([0, 2 ** 63 - 1], dtype=np.uint64)
    a["bool"] = np.array([True, False, True], dtype=np.bool_)
    a["be_f32"] = np.array([1.0, -2.5, 1e-3], dtype=">f4")
    a["be_i32"] = np.array([1, -2, 70000], dtype=">i4")
    a["fortran"] = np.asfortranarray(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    a["scalar0d"] = np.array(3.25, dtype=np.float32)
    a["empty"] = np.zeros((0, 5), dtype=np.float32)
    a["np_int"] = np.int64(-42)
    a["np_float"] = np.float32(0.75)
    a["np_bool"] = np.bool_(True)
    return a


def expected_line(name, v):
    if isinstance(v, np.ndarray):
        flat = np.ascontiguousarray(v).reshape(-1)
        if v.dtype.kind in "iub":
            vals = " ".join(str(int(x)) for x in flat)
        else:
            vals = " ".join("%.17g" % float(x) for x in flat)
        return "%s\t%s\t%s" % (name, ",".join(str(d) for d in v.shape), vals)
    return "%s\tscalar\t%s" % (name, str(int(v)) if v.dtype.kind in "iub" else "%.17g" % float(v))


def act_tiny():
    labels = ["brush_hair", "catch", "clap"]
    videos = {
        "brush_hair/v_a": (4, 0, [[1, 10, 20, 30, 40], [2, 11, 21, 31, 41], [3, 12, 22, 32, 42], [4, 13, 23, 33, 43]]),
        "catch/v_b": (3, 1, [[1, 0, 0, 9, 9], [2, 1, 1, 10, 10], [3, 2, 2, 11, 11], [4, 3, 3, 12, 12]]),  # frame 4 > nframes 3
        "clap/v_c": (5, 2, [[2, 5, 5, 50, 60], [3, 6, 6, 51, 61]]),
        "clap/v_d": (2, 2, [[1, 7, 8, 9, 10], [2, 7, 8, 9, 10]]),
    }
    gttubes, nframes, resolution = {}, {}, {}
    for v, (n, lab, rows) in videos.items():
        gttubes[v] = {lab: [np.array(rows, dtype=np.float32 if lab != 2 else np.float64)]}
        nframes[v] = np.int64(n) if lab == 1 else n
        resolution[v] = (240, 320) if lab != 2 else (np.int64(120), np.int64(160))
    return {
        "labels": labels,
        "gttubes": gttubes,
        "nframes": nframes,
        "train_videos": [["brush_hair/v_a", "clap/v_c"], ["catch/v_b", "clap/v_d"]],
        "test_videos": [["catch/v_b", "clap/v_d"], ["brush_hair/v_a", "clap/v_c"]],
        "resolution": resolution,
    }


def maskrcnn_tiny():
    out = {}
    for v, nf in (("brush_hair/v_a", 3), ("catch/v_b", 2)):
        fids = np.array_split(np.arange(nf), 1)[0]  # numpy.int64 keys, as run_maskrcnn.py makes them
        boxes, scores = {}, {}
        for i, f in enumerate(fids):
            k = 1 + (i % 2)
            boxes[f] = (np.arange(4 * k, dtype=np.float32).reshape(k, 4) + 1) / 10
            scores[f] = np.array([0.9, 0.2][:k], dtype=np.float32)
        out[v] = {"boxes": boxes, "scores": scores}
    return out


def ava_proposals_tiny():
    return {
        "-5KQ66BBWC4,0902": np.array([[0.1, 0.2, 0.3, 0.4, 0.95], [0.5, 0.5, 0.9, 0.9, 0.5]], dtype=np.float64),
        "-5KQ66BBWC4,0903": np.zeros((0, 5)),
        "abc_def-123,1798": np.array([[0.0, 0.0, 1.0, 1.0, 0.85]], dtype=np.float32),
    }


def ucf24_tiny(path, compress=True):
    tube = [("ef", "O"), ("sf", "O"), ("class", "O"), ("boxes", "O")]
    vid = [("num_imgs", "O"), ("name", "O"), ("tubes", "O")]
    annot = np.zeros((1, 3), dtype=vid)

    def tubes(rows):
        t = np.zeros((1, len(rows)), dtype=tube)
        for i, (sf, ef, c, boxes, dt) in enumerate(rows):
            t[0, i]["sf"] = np.array([[sf]], dtype=dt)
            t[0, i]["ef"] = np.array([[ef]], dtype=dt)
            t[0, i]["class"] = np.array([[c]], dtype=np.uint8)
            t[0, i]["boxes"] = np.array(boxes, dtype=dt)
        return t

    annot[0, 0]["num_imgs"] = np.array([[5]], dtype=np.uint8)
    annot[0, 0]["name"] = np.array(["Basketball/v_Basketball_g01_c01"])
    annot[0, 0]["tubes"] = tubes([(2, 4, 1, [[10, 20, 30, 40], [11, 21, 30, 40], [12, 22, 30, 40]], np.uint8)])
    annot[0, 1]["num_imgs"] = np.array([[300]], dtype=np.uint16)
    annot[0, 1]["name"] = np.array(["Biking/v_Biking_g08_c02"])
    annot[0, 1]["tubes"] = tubes([(1, 2, 2, [[1, 2, 3, 4], [5, 6, 7, 8]], np.uint16),
                                  (299, 301, 2, [[100, 100, 20, 20], [101, 100, 20, 20], [102, 100, 20, 20]], np.uint16)])
    annot[0, 2]["num_imgs"] = np.array([[7]], dtype=np.uint8)
    annot[0, 2]["name"] = np.array(["Basketball/v_Basketball_g25_c07"])
    annot[0, 2]["tubes"] = tubes([(7, 7, 1, [[0, 0, 255, 200]], np.uint8)])
    scipy.io.savemat(path, {"annot": annot}, do_compression=compress, format="5")
    with open(path, "r+b") as f:  # the header text holds the time of writing: fix it
        f.write(b"MATLAB 5.0 MAT-file, written by tools/gen_dataset_fixtures.py".ljust(116, b" "))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "datasets")
    os.makedirs(out, exist_ok=True)
    a = arrays()
    for proto in (2, 4, 5):
        with open(os.path.join(out, "numpy_arrays.p%d.pkl" % proto), "wb") as f:
            pickle.dump(a, f, protocol=proto)
    with open(os.path.join(out, "numpy_expected.txt"), "w") as f:
        for k, v in a.items():
            f.write(expected_line(k, v) + "\n")
    act = act_tiny()
    for proto in (0, 2, 5):
        with open(os.path.join(out, "act_tiny.p%d.pkl" % proto), "wb") as f:
            pickle.dump(act, f, protocol=proto)
    with open(os.path.join(out, "maskrcnn_tiny.pkl"), "wb") as f:
        pickle.dump(maskrcnn_tiny(), f, protocol=4)
    with open(os.path.join(out, "ava_proposals_tiny.pkl"), "wb") as f:
        pickle.dump(ava_proposals_tiny(), f, protocol=2)
    ucf24_tiny(os.path.join(out, "ucf24_tiny.mat"))
    ucf24_tiny(os.path.join(out, "ucf24_tiny_raw.mat"), compress=False)


if __name__ == "__main__":
    main()
