"""tokenizer_ref.py: a reference CLIP byte-level BPE tokenizer in plain Python (standard library only),
written from ../shared/specs/vlm-backbones.md section 4 and the algorithm of open_clip's / OpenAI
CLIP's SimpleTokenizer, to produce the ids that models/tokenizer.c must reproduce bit for bit.

Two cleaning modes:
  "openai"  OpenAI CLIP, open_clip and ViCLIP (SimpleTokenizer): ftfy.fix_text without its mojibake
            detection (ftfy_lite below), html.unescape twice, strip, every run of whitespace to one
            space, strip, str.lower(); the pattern is matched with IGNORECASE.
  "hf"      Hugging Face CLIPTokenizerFast (CLIP-ViP, OpenMixer): NFC, every run of White_Space to one
            space, per-character lowercase (no final-sigma rule), no HTML unescaping; the pattern is
            case-sensitive and has no special-token alternatives; literal special tokens are split
            out of the raw text first.

The pattern's \\p{L} / \\p{N} classes (the `regex` package) are built here from unicodedata's
general categories (L* and N*), because the standard `re` module has no \\p{..}. Case-insensitivity
applies to the literal alternatives only, as in PCRE2 ("caseless matching does not affect \\p"); the
one character where the `regex` package's IGNORECASE changes the classes, U+0345, is dropped like
open_clip drops it.

Usage as a script: tokenizer_ref.py [--hf] [--context N] TEXT...   (prints the framed ids)
"""
import gzip
import html
import html.entities
import re
import sys
import unicodedata

SOT, EOT = 49406, 49407
N_MERGES = 49152 - 256 - 2  # lines 1..48894 of the vocab file


def bytes_to_unicode():
    """byte -> printable character: the 188 printable Latin-1 bytes map to themselves, the other
    68 (0..32, 127..160, 173) in ascending order to U+0100 + n."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAC + 1)) + list(range(0xAE, 0xFF + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs])), bs


def _class(pred):
    """A character class body ('a-z...') of every code point for which pred(category) holds."""
    parts, start, prev = [], None, None
    for cp in range(0x110000):
        ok = pred(unicodedata.category(chr(cp)))
        if ok and start is None:
            start = cp
        if not ok and start is not None:
            parts.append((start, cp - 1))
            start = None
    if start is not None:
        parts.append((start, 0x10FFFF))
    esc = lambda c: "\\U%08x" % c  # noqa: E731
    return "".join(esc(a) if a == b else esc(a) + "-" + esc(b) for a, b in parts)


_L = _N = None


def classes():
    global _L, _N
    if _L is None:
        _L = _class(lambda c: c[0] == "L")
        _N = _class(lambda c: c[0] == "N")
    return _L, _N


def pattern(mode):
    L, N = classes()
    lit = r"'s|'t|'re|'ve|'m|'ll|'d"
    if mode == "openai":
        lit = r"(?i:<\|startoftext\|>|<\|endoftext\|>|" + lit + ")"
    # \s: the openai cleaning leaves no whitespace but ' '; the hf one leaves the characters that
    # Python's \s has and White_Space has not (U+001C..U+001F), which the Rust/onig \s does not match
    # U+0345 (a combining mark whose case partner is a letter) matches neither \p{L} nor the negated
    # class under the `regex` package's IGNORECASE, so open_clip drops it; the openai style does too
    other = WHITE_SPACE + L + N + ("\u0345" if mode == "openai" else "")
    return re.compile(lit + "|[" + L + "]+|[" + N + "]|[^" + other + "]+")


# Unicode White_Space (what the Rust/onig \s of the HF normalizer matches)
WHITE_SPACE = "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
              "\u2028\u2029\u202f\u205f\u3000"


# ---------------- ftfy.fix_text without its mojibake detection ----------------
# ftfy 6.3's fix_text(text) runs, on each line, until nothing changes: unescape_html (unless a '<'
# has been seen), fix_encoding (heuristic mojibake repair: NOT reproduced), fix_c1_controls,
# fix_latin_ligatures, fix_character_width, uncurl_quotes, fix_line_breaks, remove_terminal_escapes,
# remove_control_chars and NFC. These tables follow ftfy.chardata; gen_tokenizer_fixtures.py checks
# ftfy_lite() against ftfy.fix_text(text, fix_encoding=False) when ftfy is installed.
LIGATURES = {0x132: "IJ", 0x133: "ij", 0x149: "\u02bcn", 0x1F1: "DZ", 0x1F2: "Dz", 0x1F3: "dz", 0x1C4: "D\u017d",
             0x1C5: "D\u017e", 0x1C6: "d\u017e", 0x1C7: "LJ", 0x1C8: "Lj", 0x1C9: "lj", 0x1CA: "NJ", 0x1CB: "Nj",
             0x1CC: "nj", 0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "\u017ft",
             0xFB06: "st"}
CONTROL = {c: None for c in list(range(0x00, 0x09)) + [0x0B] + list(range(0x0E, 0x20)) + [0x7F] +
           list(range(0x206A, 0x2070)) + [0xFEFF] + list(range(0xFFF9, 0xFFFD))}


def ftfy_entities():
    """'&name;' -> text: the HTML5 entities that end in ';', plus upper-cased names of the lower-case
    ones that html.unescape does not know (decoded to the upper-cased text)."""
    ents = {}
    for name, ch in html.entities.html5.items():
        if name.endswith(";"):
            ents["&" + name] = ch
            if name == name.lower():
                up = "&" + name.upper()
                if html.unescape(up) == up:
                    ents[up] = ch.upper()
    return ents


def width_map():
    m = {0x3000: " "}
    for i in range(0xFF01, 0xFFF0):
        alt = unicodedata.normalize("NFKC", chr(i))
        if alt != chr(i):
            m[i] = alt
    return m


def cp1252(c):
    """A C1 control character read as its windows-1252 byte (undefined bytes stay themselves)."""
    try:
        return bytes([ord(c)]).decode("cp1252")
    except UnicodeDecodeError:
        return c


_ENTS, _WIDTH = None, None
_ENTITY_RE = re.compile(r"&#?[0-9A-Za-z]{1,24};")
_ANSI_RE = re.compile("\033\\[((?:\\d|;)*)([a-zA-Z])")


def _unescape_one(m):
    t = m.group(0)
    if t in _ENTS:
        return _ENTS[t]
    if t.startswith("&#"):
        u = html.unescape(t)
        return t if ";" in u else u
    return t


def _fix_segment(text, unescape):
    while True:
        orig = text
        if unescape:
            text = _ENTITY_RE.sub(_unescape_one, text)
        text = re.sub("[\x80-\x9f]", lambda m: cp1252(m.group(0)), text)
        text = text.translate(LIGATURES).translate(_WIDTH)
        text = re.sub("[\u02bc\u2018-\u201b]", "'", re.sub("[\u201c-\u201f]", '"', text))
        for a in ("\r\n", "\r", "\u2028", "\u2029", "\x85"):
            text = text.replace(a, "\n")
        text = _ANSI_RE.sub("", text).translate(CONTROL)
        text = unicodedata.normalize("NFC", text)
        if text == orig:
            return text


def ftfy_lite(text):
    global _ENTS, _WIDTH
    if _ENTS is None:
        _ENTS, _WIDTH = ftfy_entities(), width_map()
    out, pos, unescape = [], 0, True
    while pos < len(text):
        brk = text.find("\n", pos) + 1 or len(text)
        brk = min(brk, pos + 1000000)  # ftfy's max_decode_length
        seg = text[pos:brk]
        if "<" in seg:
            unescape = False  # sticky, as in ftfy.fix_text
        out.append(_fix_segment(seg, unescape))
        pos = brk
    return "".join(out)


def clean(text, mode="openai"):
    if mode == "openai":
        text = ftfy_lite(text)
        text = html.unescape(html.unescape(text)).strip()
        text = re.sub(r"\s+", " ", text).strip()
        return text.lower()
    text = unicodedata.normalize("NFC", text)
    text = re.sub("[" + WHITE_SPACE + "]+", " ", text)
    return "".join(c.lower() for c in text)


class Tokenizer:
    def __init__(self, path):
        with gzip.open(path) as f:
            lines = f.read().decode("utf-8").split("\n")
        merges = [tuple(m.split()) for m in lines[1:N_MERGES + 1]]
        self.byte_encoder, order = bytes_to_unicode()
        vocab = [self.byte_encoder[b] for b in order]
        vocab = vocab + [v + "</w>" for v in vocab]
        vocab += ["".join(m) for m in merges]
        vocab += ["<|startoftext|>", "<|endoftext|>"]
        self.vocab = vocab
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.ranks = dict(zip(merges, range(len(merges))))
        self.cache = {"<|startoftext|>": "<|startoftext|>", "<|endoftext|>": "<|endoftext|>"}
        self.pat = {m: pattern(m) for m in ("openai", "hf")}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        if len(word) == 1:
            return word[0]
        while len(word) > 1:
            pairs = set(zip(word, word[1:]))
            best = min(pairs, key=lambda p: self.ranks.get(p, float("inf")))
            if best not in self.ranks:
                break
            new, i = [], 0
            while i < len(word):  # every non-overlapping occurrence, left to right
                if i < len(word) - 1 and word[i] == best[0] and word[i + 1] == best[1]:
                    new.append(word[i] + word[i + 1])
                    i += 2
                else:
                    new.append(word[i])
                    i += 1
            word = tuple(new)
        out = " ".join(word)
        self.cache[token] = out
        return out

    def _encode_clean(self, text, mode):
        ids = []
        for tok in self.pat[mode].findall(clean(text, mode)):
            tok = "".join(self.byte_encoder[b] for b in tok.encode("utf-8"))
            ids.extend(self.encoder[t] for t in self.bpe(tok).split(" "))
        return ids

    def encode(self, text, mode="openai"):
        """BPE ids of text, without start/end tokens."""
        if mode == "openai":
            return self._encode_clean(text, mode)
        ids = []  # hf: literal special tokens are matched on the raw text, before normalising
        for piece in re.split(r"(<\|startoftext\|>|<\|endoftext\|>)", text):
            if piece in ("<|startoftext|>", "<|endoftext|>"):
                ids.append(self.encoder[piece])
            elif piece:
                ids.extend(self._encode_clean(piece, mode))
        return ids

    def frame(self, ids, context, pad=0):
        """[SOT] + ids + [EOT], truncated to context with EOT kept in the last slot, padded with
        `pad` (0 for CLIP/ViCLIP, EOT for Hugging Face); returns (ids, attention mask)."""
        t = [SOT] + ids + [EOT]
        if len(t) > context:
            t = t[:context]
            t[-1] = EOT
        mask = [1] * len(t) + [0] * (context - len(t))
        return t + [pad] * (context - len(t)), mask


def main(argv):
    ctx, mode, texts = 77, "openai", []
    i = 0
    while i < len(argv):
        if argv[i] == "--context":
            ctx = int(argv[i + 1])
            i += 1
        elif argv[i] == "--hf":
            mode = "hf"
        else:
            texts.append(argv[i])
        i += 1
    import os
    tok = Tokenizer(os.environ.get("OVAD_BPE_VOCAB", "../shared/data/bpe_simple_vocab_16e6.txt.gz"))
    for t in texts:
        ids, mask = tok.frame(tok.encode(t, mode), ctx, EOT if mode == "hf" else 0)
        print(" ".join(map(str, ids)))


if __name__ == "__main__":
    main(sys.argv[1:])
