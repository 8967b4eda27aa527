"""st_io.py: a minimal safetensors writer/reader for the fixture scripts (no safetensors package
in Debian). Layout: u64 little-endian header length, JSON header, row-major little-endian data."""
import json
import struct

import torch

DTYPES = {
    torch.float32: "F32", torch.bfloat16: "BF16", torch.float16: "F16", torch.int32: "I32",
    torch.int64: "I64", torch.uint8: "U8", torch.bool: "BOOL",
}
BACK = {v: k for k, v in DTYPES.items()}


def save(path, tensors, metadata=None):
    header, blobs, off = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        # bytes of the storage in row-major order; views of bf16/bool go through uint8
        raw = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        blobs.append(raw)
        off += len(raw)
    js = json.dumps(header, separators=(",", ":")).encode()
    js += b" " * ((8 - len(js) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(js)))
        f.write(js)
        for b in blobs:
            f.write(b)


def load(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        b, en = e["data_offsets"]
        dt = BACK[e["dtype"]]
        t = torch.frombuffer(bytearray(data[b:en]), dtype=torch.uint8) if en > b else torch.empty(0, dtype=torch.uint8)
        out[name] = t.view(dt).reshape(e["shape"]) if en > b else torch.empty(e["shape"], dtype=dt)
    return out, meta
