#!/usr/bin/python3
"""gen_pth_fixtures.py: torch.save files and zip archives for tests/test_pth.c and tests/test_zip.c.

For each checkpoint case <name>.pth this writes <name>.expected.safetensors: the tensors that
ov_pth_load(<name>.pth, entry) must return, flattened to dotted names in order (a module pickled
whole gives its state_dict), contiguous, with float64 as float32 (ovad has no f64), and metadata:
    entry        the entry argument to pass ("" = automatic)
    chosen       the entry the loader must report choosing
    protocol     the pickle protocol
    n_f64, n_skipped   what ovPthInfo must count
    stride.<t>, offset.<t>   the saved view geometry of tensor t (strides and storage offset)
    share.<t>    the name of an earlier tensor whose storage t shares (storages shared in the file)

Zip cases (for the zip reader itself): stored.zip, deflated.zip (Python's zipfile), zip64.zip
(written here by hand with zip64 directory records and extra fields, then checked with zipfile),
and the same content rule as tests/test_zip.c: entry i of zip_contents().

Usage: /usr/bin/python3 tools/gen_pth_fixtures.py tests/fixtures/pth   (needs python3-torch)
"""
import argparse
import collections
import io
import os
import struct
import sys
import zipfile
import zlib

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import st_io  # noqa: E402


class Small(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(5, 3)
        self.norm = torch.nn.LayerNorm(3)
        self.conv = torch.nn.Conv2d(2, 4, 3)
        self.emb = torch.nn.Embedding(7, 2)
        self.register_buffer("steps", torch.tensor(12, dtype=torch.int64))


class WithScratch(Small):
    """A module pickled whole: a Linear without bias (None in _parameters) and a buffer that
    state_dict() leaves out."""

    def __init__(self):
        super().__init__()
        self.proj = torch.nn.Linear(3, 2, bias=False)
        self.register_buffer("scratch", torch.zeros(2), persistent=False)


def whole_module():
    torch.manual_seed(4)
    return WithScratch()


def model_sd():
    torch.manual_seed(0)
    return Small().state_dict()


def views():
    torch.manual_seed(1)
    x = torch.randn(4, 6)
    y = torch.randn(2, 3, 5)
    base = torch.arange(40, dtype=torch.float32)
    return collections.OrderedDict([
        ("x", x), ("xt", x.t()), ("slice", x[1:3, ::2]), ("row", x[2]), ("scalar", x[1, 4]),
        ("perm", y.permute(2, 0, 1)), ("y", y), ("expand", x[0:1].expand(3, 6)),
        ("empty", torch.zeros(0, 3)), ("tail", base[30:]), ("strided", base[1::7]),
    ])


def dtypes():
    torch.manual_seed(2)
    f = torch.randn(3, 4)
    return {"f32": f, "f16": f.half(), "bf16": f.bfloat16(), "f64": f.double() * 1e-3, "i64": torch.arange(-5, 5),
            "i32": torch.arange(6, dtype=torch.int32).reshape(2, 3), "u8": torch.arange(250, 256, dtype=torch.uint8),
            "bool": torch.tensor([True, False, True]), "f64_view": f.double().t()}


def nested():
    sd = model_sd()
    w = torch.randn(3)
    return {"model": sd, "optimizer": {"state": {0: {"exp_avg": w, "step": 3}}, "param_groups": [{"lr": 0.1, "params": [0]}]},
            "epoch": 5, "config": argparse.Namespace(lr=0.1, name="run"), "list": [w, torch.ones(2)]}


def params():
    torch.manual_seed(3)
    p = torch.nn.Parameter(torch.randn(2, 3))
    return {"weight": p, "again": p, "plain": torch.randn(2), "frozen": torch.nn.Parameter(torch.randn(1), requires_grad=False)}


def flat_of(obj, prefix=""):
    """What the loader flattens obj to (tensors under dotted names)."""
    out = collections.OrderedDict()
    if isinstance(obj, torch.nn.Module):  # pickled whole: the loader gives its state_dict
        out.update(flat_of(obj.state_dict(), prefix))
    elif isinstance(obj, torch.Tensor):
        out[prefix or "tensor"] = obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            if isinstance(k, (str, int)) and not isinstance(k, bool):
                out.update(flat_of(v, "%s.%s" % (prefix, k) if prefix else str(k)))
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            out.update(flat_of(v, "%s.%d" % (prefix, i) if prefix else str(i)))
    return out


def count_skipped(obj):
    if isinstance(obj, (torch.Tensor, torch.nn.Module)):
        return 0
    if isinstance(obj, dict):
        return sum(count_skipped(v) if isinstance(k, (str, int)) else 1 for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return sum(count_skipped(v) for v in obj)
    return 1


# (file, object, protocol, entry argument, chosen entry, the value the tensors come from)
def cases():
    sd = model_sd()
    yield "model.p2", sd, 2, "", "", sd
    yield "views.p2", views(), 2, "", "", None
    yield "views.p4", views(), 4, "", "", None
    yield "dtypes.p2", dtypes(), 2, "", "", None
    yield "dtypes.p4", dtypes(), 4, "", "", None
    n = nested()
    yield "nested.p4", n, 4, "", "model", n["model"]
    yield "nested_opt.p2", n, 2, "optimizer", "optimizer", n["optimizer"]
    yield "nested_deep.p2", n, 2, "optimizer.state.0", "optimizer.state.0", n["optimizer"]["state"][0]
    flat = {"a": {"b": torch.ones(2), "c": {"d": torch.zeros(1)}}, "e": torch.full((2,), 3.0), "n": 1}
    yield "flat.p2", flat, 2, "", "", flat
    yield "params.p2", params(), 2, "", "", None
    yield "legacy_views.p2", views(), 2, "", "", None
    yield "legacy_dtypes.p2", dtypes(), 2, "", "", None
    yield "legacy_nested.p2", n, 2, "", "model", n["model"]
    m = whole_module()
    yield "module.p2", {"model": m, "epoch": 1}, 2, "", "model", m
    yield "module_root.p4", m, 4, "", "", m


def save_case(out, name, obj, proto, entry, chosen, src):
    path = os.path.join(out, name + ".pth")
    # legacy_*: the format of PyTorch < 1.6 (pickles, then raw storages; no zip)
    torch.save(obj, path, pickle_protocol=proto, _use_new_zipfile_serialization=not name.startswith("legacy"))
    src = obj if src is None else src
    tensors = flat_of(src)
    meta = {"entry": entry, "chosen": chosen, "protocol": proto, "n_skipped": count_skipped(src)}
    expected, seen = collections.OrderedDict(), {}
    n_f64 = 0
    for k, t in tensors.items():
        meta["stride." + k] = ",".join(str(s) for s in t.stride())
        meta["offset." + k] = t.storage_offset()
        key = t.storage().data_ptr()
        if key in seen:
            meta["share." + k] = seen[key]
        else:
            seen[key] = k
        if t.dtype == torch.float64:
            n_f64 += 1
            t = t.float()
        expected[k] = t.detach().contiguous()
    meta["n_f64"] = n_f64
    st_io.save(os.path.join(out, name + ".expected.safetensors"), expected, meta)
    back = torch.load(path)  # PyTorch reads back what the expectations say
    for k in entry.split(".") if entry else []:
        back = back[int(k)] if isinstance(back, (list, tuple)) or (isinstance(back, dict) and k not in back) else back[k]
    if chosen and not entry:
        back = back[chosen]
    got = flat_of(back)
    assert list(got) == list(expected), (list(got), list(expected))
    for k, t in got.items():
        assert torch.equal(t.float() if t.dtype == torch.float64 else t, expected[k])


def rezip(src, dst, folder, method):
    """The same records under another top folder, written by zipfile (no alignment padding)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", method) as zout:
        for info in zin.infolist():
            name = folder + "/" + info.filename.split("/", 1)[1]
            zout.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), zin.read(info.filename), compress_type=method)


def zip_contents():
    """The entries of the zip fixtures; tests/test_zip.c builds the same bytes."""
    return [("a.txt", b"hello\n"), ("dir/b.bin", bytes(range(256)) * 4), ("empty", b""),
            ("dir/big.txt", b"".join(b"line %d\n" % i for i in range(2000)))]


def write_zip64(path, entries):
    """A zip with zip64 directory records: every size and offset in the directory is 0xFFFFFFFF with
    the real values in a zip64 extra field, plus the zip64 end record and its locator."""
    f = io.BytesIO()
    cd = []
    for name, data in entries:
        off = f.tell()
        crc = zlib.crc32(data)
        nb = name.encode()
        extra = struct.pack("<HHQQ", 1, 16, len(data), len(data))
        f.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(extra)))
        f.write(nb + extra + data)
        cd.append((nb, crc, len(data), off))
    cd_off = f.tell()
    for nb, crc, size, off in cd:
        extra = struct.pack("<HHQQQ", 1, 24, size, size, off)
        f.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc, 0xFFFFFFFF, 0xFFFFFFFF,
                            len(nb), len(extra), 0, 0, 0, 0, 0xFFFFFFFF))
        f.write(nb + extra)
    cd_size = f.tell() - cd_off
    eocd64 = f.tell()
    f.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, len(cd), len(cd), cd_size, cd_off))
    f.write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
    f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0))
    with open(path, "wb") as out:
        out.write(f.getvalue())


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/pth"
    os.makedirs(out, exist_ok=True)
    for name, obj, proto, entry, chosen, src in cases():
        save_case(out, name, obj, proto, entry, chosen, src)
    # any top folder, deflated records, no alignment: the model again
    rezip(os.path.join(out, "model.p2.pth"), os.path.join(out, "renamed_deflated.pth"), "some folder", zipfile.ZIP_DEFLATED)
    rezip(os.path.join(out, "model.p2.pth"), os.path.join(out, "renamed_stored.pth"), "x", zipfile.ZIP_STORED)
    for n in ("renamed_deflated", "renamed_stored"):
        with open(os.path.join(out, "model.p2.expected.safetensors"), "rb") as a, \
                open(os.path.join(out, n + ".expected.safetensors"), "wb") as b:
            b.write(a.read())
    entries = zip_contents()
    for fname, method in (("stored.zip", zipfile.ZIP_STORED), ("deflated.zip", zipfile.ZIP_DEFLATED)):
        with zipfile.ZipFile(os.path.join(out, fname), "w", method) as z:
            for name, data in entries:
                z.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), data, compress_type=method)
            z.comment = b"a comment at the end"
    write_zip64(os.path.join(out, "zip64.zip"), entries)
    write_zip64(os.path.join(out, "zip64_small.zip"), [("a.txt", b"hello\n"), ("d/e", b"")])  # a fuzzing seed
    with zipfile.ZipFile(os.path.join(out, "zip64.zip")) as z:  # Python reads what we wrote
        assert [(i.filename, z.read(i)) for i in z.infolist()] == entries
    print("wrote %s" % out)


if __name__ == "__main__":
    main()
