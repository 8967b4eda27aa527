/* test_pickle.c: the pickle reader against pickles that Python wrote (tools/gen_pickle_fixtures.py:
 * protocols 0, 2, 4, 5 of nested values, compared through the canonical text), memo sharing and
 * cycles, Python-2 text pickles, the hooks, every kind of malformed input (the message names the
 * pickle, the byte offset and the fault), the real J-HMDB ground truth (a protocol-0 pickle with
 * numpy arrays) and a deterministic mutation run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/pickle.h"
#include "tensor/error.h"
#include "tests/check_util.h"
#include "tests/mutate.h"

#define FIXDIR "tests/fixtures/pickle"

static char *read_file(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f, "missing fixture %s (run tools/gen_pickle_fixtures.py)", path);
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    ck_assert_int_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = 0;
    fclose(f);
    if (n) *n = (size_t)len;
    return buf;
}

static ovPickle *parse(const char *bytes, size_t n) { return ov_pickle_parse(bytes, n, "t.pkl", NULL); }

/* The canonical text of a pickle given as a C string literal (no embedded NULs needed). */
static char *repr_of(const char *bytes, size_t n) {
    ovPickle *pk = parse(bytes, n);
    ck_assert_msg(pk, "%s", ov_last_error());
    char *r = ov_pk_repr(ov_pickle_root(pk), 64, 1 << 20);
    ov_pickle_free(pk);
    return r;
}

START_TEST(test_python_fixtures) {
    char *expected = read_file(FIXDIR "/expected.txt", NULL);
    static const int protos[] = {0, 2, 4, 5};
    int checked = 0;
    for (char *line = strtok(expected, "\n"); line; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        ck_assert_ptr_nonnull(tab);
        *tab = 0;
        if (strchr(line, '.')) continue; /* a per-protocol line, looked up below */
        for (int p = 0; p < 4; p++) {
            char path[256], key[128];
            snprintf(path, sizeof path, FIXDIR "/%s.p%d.pkl", line, protos[p]);
            snprintf(key, sizeof key, "\n%s.p%d\t", line, protos[p]);
            const char *want = tab + 1;
            char *whole = read_file(FIXDIR "/expected.txt", NULL), *special = strstr(whole, key);
            if (special) {
                want = special + strlen(key);
                *strchr(want, '\n') = 0;
            }
            ovPickle *pk = ov_pickle_load(path, NULL);
            ck_assert_msg(pk, "%s", ov_last_error());
            ck_assert_int_eq(ov_pickle_protocol(pk), protos[p]);
            char *got = ov_pk_repr(ov_pickle_root(pk), 64, 1 << 22);
            ck_assert_msg(!strcmp(got, want), "%s:\n got  %.400s\n want %.400s", path, got, want);
            free(got);
            ov_pickle_free(pk);
            free(whole);
            checked++;
        }
    }
    ck_assert_int_eq(checked, 28);
    free(expected);
}
END_TEST

START_TEST(test_memo_shares_nodes) {
    for (int p = 0; p < 4; p++) {
        char path[128];
        snprintf(path, sizeof path, FIXDIR "/memo.p%d.pkl", (int[]){0, 2, 4, 5}[p]);
        ovPickle *pk = ov_pickle_load(path, NULL);
        ck_assert_msg(pk, "%s", ov_last_error());
        ovPkValue *r = ov_pickle_root(pk), *a = ov_pk_get(r, "a"), *t = ov_pk_get(r, "t");
        ck_assert_ptr_nonnull(a);
        ck_assert_ptr_eq(a, ov_pk_get(r, "b"));
        ck_assert_ptr_eq(t->items[0], a);
        ck_assert_ptr_eq(t->items[1], a);
        ovPkValue *w = ov_pk_get(r, "words"), *again = ov_pk_get(r, "again");
        ck_assert_int_eq(w->n, 300);
        for (int i = 0; i < 300; i++) ck_assert_ptr_eq(again->items[i], w->items[299 - i]);
        ck_assert_ptr_null(ov_pk_get(r, "absent"));
        ck_assert_ptr_null(ov_pk_get(a, "a")); /* not a dict */
        ov_pickle_free(pk);
    }
}
END_TEST

START_TEST(test_cycles) {
    /* l = [1]; l.append(l), protocol 2 */
    static const char cyc[] = "\x80\x02]q\x00(K\x01h\x00" "e.";
    ovPickle *pk = parse(cyc, sizeof cyc - 1);
    ck_assert_msg(pk, "%s", ov_last_error());
    ovPkValue *l = ov_pickle_root(pk);
    ck_assert_int_eq(l->n, 2);
    ck_assert_ptr_eq(l->items[1], l);
    char *r = ov_pk_repr(l, 4, 1000);
    ck_assert_str_eq(r, "[1, [1, [1, [..., ...]]]]");
    free(r);
    r = ov_pk_repr(l, 1000, 30); /* the length limit cuts too */
    ck_assert_msg(strlen(r) <= 33 && !strcmp(r + strlen(r) - 3, "..."), "%s", r);
    free(r);
    ov_pickle_free(pk);
    /* a dict holding itself under a key, protocol 0 */
    static const char d0[] = "(dp0\nS'me'\np1\ng0\ns.";
    pk = parse(d0, sizeof d0 - 1);
    ck_assert_msg(pk, "%s", ov_last_error());
    ck_assert_ptr_eq(ov_pk_get(ov_pickle_root(pk), "me"), ov_pickle_root(pk));
    ov_pickle_free(pk);
    /* tuples of tuples shared 40 levels deep: 2^40 leaves if walked naively; hashing as a dict
     * key gives up instead of hanging, and the text is cut */
    char deep[600];
    size_t k = 0;
    deep[k++] = (char)0x80, deep[k++] = 2, deep[k++] = 'N';
    for (int i = 0; i < 40; i++) deep[k++] = '2', deep[k++] = (char)0x86; /* DUP, TUPLE2 */
    deep[k++] = 'q', deep[k++] = 0, deep[k++] = '}', deep[k++] = 'h', deep[k++] = 0, deep[k++] = 'K', deep[k++] = 1;
    deep[k++] = 's', deep[k++] = '.';
    pk = parse(deep, k);
    ck_assert_ptr_null(pk);
    ck_assert_msg(strstr(ov_last_error(), "unhashable"), "%s", ov_last_error());
    deep[k - 9] = '.'; /* stop after the tuple */
    pk = parse(deep, k - 8);
    ck_assert_msg(pk, "%s", ov_last_error());
    r = ov_pk_repr(ov_pickle_root(pk), 100, 10000);
    ck_assert(strlen(r) < 10010);
    free(r);
    ov_pickle_free(pk);
}
END_TEST

START_TEST(test_python2_text) {
    /* what Python 2's pickle.dumps(protocol=0) writes, with escapes and old opcodes */
    static const char t[] =
        "(dp0\n"
        "S'esc\\'aped \\x41\\n\\t\\\\ \\101\\0 \\q'\np1\n"
        "(lp2\nI01\naI00\naI-42\naL123456789012345678901234567890L\naL-5L\naF1.5\naF-inf\naNa"
        "V\\u00e9t\\u00e9 \\U0001f642 caf\xe9\np3\naS\"dq\"\np4\na(I1\nI2\ntp5\nag3\nasS'cls'\np6\n"
        "(c__builtin__\nobject\np7\ni__main__\nThing\np8\n(dp9\nS'x'\nI3\nsbs"
        "S'o'\n(g7\nI5\nosS'bi'\n(lp10\nc__builtin__\nset\n((lp11\nI1\naI2\natRp12\nas.";
    char *r = repr_of(t, sizeof t - 1);
    ck_assert_str_eq(r,
                     "{s\"esc'aped A\\x0a\\x09\\\\ A\\x00 \\\\q\": [True, False, -42, 123456789012345678901234567890, -5, "
                     "1.5, -inf, None, \"été 🙂 café\", s\"dq\", (1, 2), \"été 🙂 café\"], "
                     "s\"cls\": inst(<__main__.Thing>, (<builtins.object>)).setstate({s\"x\": 3}), "
                     "s\"o\": obj(<builtins.object>, (5)), s\"bi\": [set{1, 2}]}");
    free(r);
    /* UNICODE: backslashes are literal except an odd run before u/U */
    static const char u[] = "V\\\\u0041 \\\\\\u0042 \\x\n.";
    r = repr_of(u, sizeof u - 1);
    ck_assert_str_eq(r, "\"\\\\\\\\u0041 \\\\\\\\B \\\\x\"");
    free(r);
}
END_TEST

/* Hooks: a whitelist, a call interpreter and a BUILD interpreter. */
static int only_ordered(void *ctx, const char *module, const char *name, const char **why) {
    (void)ctx;
    if (!strcmp(module, "collections") && !strcmp(name, "OrderedDict")) return 0;
    *why = "not on the whitelist";
    return -1;
}

static int namespace_to_str(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue **out, const char **why) {
    (*(int *)ctx)++;
    if (ov_pk_is_global(obj->callable, "argparse", "Namespace")) {
        *out = ov_pk_new_str(pk, OV_PK_STR, "NS", 2);
        return 1;
    }
    if (ov_pk_is_global(obj->callable, "bad", "call")) {
        *why = "refused";
        return -1;
    }
    return 0;
}

static int build_counter(ovPickle *pk, void *ctx, ovPkValue *obj, ovPkValue *state, const char **why) {
    (void)pk, (void)obj, (void)why;
    (*(int *)ctx) += 100;
    return state->kind == OV_PK_DICT ? 1 : 0; /* consume dict states only */
}

static int count_pids(ovPickle *pk, void *ctx, const ovPkValue *pid, const char **why) {
    (void)pk;
    if (ov_pk_is_str(pid) && !strcmp(pid->s, "bad")) {
        *why = "no such storage";
        return -1;
    }
    (*(int *)ctx)++;
    return 0;
}

START_TEST(test_hooks) {
    size_t n;
    char *ns = read_file(FIXDIR "/namespace.p2.pkl", &n);
    ovPkHooks wl = {.global = only_ordered};
    ck_assert_ptr_null(ov_pickle_parse(ns, n, "ns.pkl", &wl));
    ck_assert_msg(strstr(ov_last_error(), "ns.pkl: byte ") && strstr(ov_last_error(), "argparse.Namespace") &&
                      strstr(ov_last_error(), "not on the whitelist"),
                  "%s", ov_last_error());
    char *od = read_file(FIXDIR "/ordered.p2.pkl", &n);
    ovPickle *pk = ov_pickle_parse(od, n, "od.pkl", &wl);
    ck_assert_msg(pk, "%s", ov_last_error());
    ck_assert(ov_pickle_root(pk)->flags & OV_PK_ORDERED);
    ov_pickle_free(pk);
    free(od);

    int calls = 0;
    ovPkHooks h = {.ctx = &calls, .call = namespace_to_str, .build = build_counter};
    ns = (free(ns), read_file(FIXDIR "/namespace.p4.pkl", &n));
    pk = ov_pickle_parse(ns, n, "ns.pkl", &h);
    ck_assert_msg(pk, "%s", ov_last_error());
    ck_assert_int_eq(calls, 101); /* one call, one BUILD (on the replacement string) */
    char *r = ov_pk_repr(ov_pickle_root(pk), 10, 1000);
    ck_assert_str_eq(r, "{\"config\": \"NS\", \"epoch\": 7}");
    free(r);
    ov_pickle_free(pk);
    free(ns);
    /* persistent ids: BINPERSID and protocol 0's PERSID, seen by the hook, kept as values */
    int pids = 0;
    ovPkHooks ph = {.ctx = &pids, .persid = count_pids};
    static const char pp[] = "\x80\x02(X\x01\x00\x00\x00" "aQPkey\nl.";
    pk = ov_pickle_parse(pp, sizeof pp - 1, "p.pkl", &ph);
    ck_assert_msg(pk, "%s", ov_last_error());
    ck_assert_int_eq(pids, 2);
    r = ov_pk_repr(ov_pickle_root(pk), 10, 1000);
    ck_assert_str_eq(r, "[persid(\"a\"), persid(\"key\")]");
    free(r);
    ov_pickle_free(pk);
    static const char pbad[] = "(Pbad\nl.";
    ck_assert_ptr_null(ov_pickle_parse(pbad, sizeof pbad - 1, "p.pkl", &ph));
    ck_assert_msg(strstr(ov_last_error(), "p.pkl: byte 1 (opcode PERSID): no such storage"), "%s", ov_last_error());
    static const char bad[] = "\x80\x02" "cbad\ncall\n)R.";
    ck_assert_ptr_null(ov_pickle_parse(bad, sizeof bad - 1, "b.pkl", &h));
    ck_assert_msg(strstr(ov_last_error(), "b.pkl: byte 13 (opcode REDUCE): calling bad.call: refused"), "%s",
                  ov_last_error());
}
END_TEST

typedef struct {
    const char *bytes;
    size_t n;
    const char *expect;
} Bad;
#define BAD(lit, msg) {lit, sizeof lit - 1, msg}

START_TEST(test_malformed) {
    static const Bad bad[] = {
        BAD("", "byte 0: truncated: the data ends before the STOP opcode"),
        BAD("\x80\x02K\x01", "byte 4: truncated: the data ends before the STOP"),
        BAD("\x80\x02J\x01\x02", "byte 2 (opcode BININT): truncated: needs 4 more bytes"),
        BAD("\x80\x02\xff.", "byte 2: unknown opcode 0xff"),
        BAD("\x80\x06N.", "byte 0 (opcode PROTO): protocol 6 is newer than 5"),
        BAD(".", "byte 0 (opcode STOP): stack underflow"),
        BAD("N0000.", "byte 2 (opcode POP): stack underflow"),
        BAD("N(R.", "byte 2 (opcode REDUCE): stack underflow"),
        BAD("N(a.", "byte 2 (opcode APPEND): stack underflow"),
        BAD("Nt.", "byte 1 (opcode TUPLE): no MARK on the stack"),
        BAD("]((e.", "byte 3 (opcode APPENDS): stack underflow (no list or set"),
        BAD("\x80\x02h\x05.", "byte 2 (opcode BINGET): memo index 5 was never stored"),
        BAD("Nq\x00j\x00\x00\x01\x00.", "(opcode LONG_BINGET): memo index 65536 was never stored"),
        BAD("Nr\xff\xff\xff\x7f.", "(opcode LONG_BINPUT): memo index 2147483647 is larger than the whole pickle"),
        BAD("Np-1\n.", "(opcode PUT): '-1' is not a memo index"),
        BAD("X\xff\xff\xff\x00" "abc.", "byte 0 (opcode BINUNICODE): a string of 16777215 bytes runs past the end"),
        BAD("\x8d\xff\xff\xff\xff\xff\xff\xff\xff" "ab.", "(opcode BINUNICODE8): a string of 18446744073709551615 bytes"),
        BAD("\x8e\x00\x00\x00\x00\x00\x01\x00\x00" "ab.", "(opcode BINBYTES8): a bytes value of 1099511627776 bytes"),
        BAD("X\x02\x00\x00\x00\xc3\x28.", "(opcode BINUNICODE): the string is not valid UTF-8"),
        BAD("T\xff\xff\xff\xff" "ab.", "(opcode BINSTRING): a negative length"),
        BAD("\x8b\xfe\xff\xff\xff.", "(opcode LONG4): a negative byte count"),
        BAD("\x8a\x09\x01.", "(opcode LONG1): an integer of 9 bytes runs past the end"),
        BAD("Sabc\n.", "(opcode STRING): the STRING argument must be quoted"),
        BAD("S'ab\\x4'\n.", "(opcode STRING): an invalid \\x escape"),
        BAD("S'ab\\'\n.", "(opcode STRING): a trailing \\ in the string"),
        BAD("Vab\\u12\n.", "(opcode UNICODE): a truncated \\u escape"),
        BAD("V\\U00110000\n.", "(opcode UNICODE): \\U00110000 is not a Unicode code point"),
        BAD("I12x\n.", "(opcode INT): '12x' is not a decimal integer"),
        BAD("I12", "(opcode INT): truncated: the argument line has no end"),
        BAD("F1.5x\n.", "(opcode FLOAT): '1.5x' is not a float"),
        BAD("(K\x01" "d.", "(opcode DICT): an odd number of values (1)"),
        BAD("}]K\x01s.", "(opcode SETITEM): unhashable key: a list"),
        BAD("}(]K\x01u.", "(opcode SETITEMS): unhashable key: a list"),
        BAD("(}K\x01" "d.", "(opcode DICT): unhashable key: a dict"),
        BAD(")K\x01" "a.", "(opcode APPEND): adding items to a tuple"),
        BAD("K\x01K\x01K\x02s.", "(opcode SETITEM): setting items on a int"),
        BAD("\x80\x02" "cm\nf\nK\x01R.", "(opcode REDUCE): the arguments are a int, not a tuple"),
        BAD("\x80\x04K\x01K\x02\x93.", "(opcode STACK_GLOBAL): the module and name must be strings"),
        BAD("\x80\x02" "cm\x00x\nf\n.", "(opcode GLOBAL): a global's module or name holds a NUL byte"),
        BAD("\x80\x02" "cm\xff\nf\n.", "(opcode GLOBAL): a global's module or name is not valid UTF-8"),
        BAD("\x80\x05\x97.", "(opcode NEXT_BUFFER): out-of-band buffers are not supported"),
        BAD("\x80\x02\x82\x01.", "(opcode EXT1): extension registry codes"),
        BAD("\x80\x04\x95\xff\x00\x00\x00\x00\x00\x00\x00N.", "(opcode FRAME): a frame of 255 bytes runs past"),
        BAD("(o.", "(opcode OBJ): no class after the MARK"),
        BAD("\x80\x02N})\x92.", "(opcode NEWOBJ_EX): the arguments are a dict, not a tuple"),
        BAD("\x80\x02N)K\x01\x92.", "(opcode NEWOBJ_EX): the keyword arguments are a int, not a dict"),
        BAD("Pid\xe9\n.", "(opcode PERSID): a protocol-0 persistent id must be ASCII"),
        BAD("b.", "(opcode BUILD): stack underflow"),
        BAD("\x80\x02N\x87.", "(opcode TUPLE3): stack underflow (needs 3 values)"),
        BAD("\x80\x02" "c__builtin__\nset\n]]a\x85R.", "(opcode REDUCE): calling builtins.set: unhashable key: a list"),
        BAD("\x80\x02" "c_codecs\nencode\nX\x02\x00\x00\x00\xc4\x80X\x06\x00\x00\x00latin1\x86R.",
            "calling _codecs.encode: latin-1 text holds a character above U+00FF"),
        BAD("ccollections\nOrderedDict\n(((K\x01tltR.", "calling collections.OrderedDict: an item is not a (key, value) pair"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ovPickle *pk = ov_pickle_parse(bad[i].bytes, bad[i].n, "bad.pkl", NULL);
        if (pk) {
            char *r = ov_pk_repr(ov_pickle_root(pk), 10, 200);
            ck_abort_msg("case %zu was accepted: %s", i, r);
        }
        ck_assert_msg(!strncmp(ov_last_error(), "bad.pkl: byte ", 14), "case %zu: %s", i, ov_last_error());
        ck_assert_msg(strstr(ov_last_error(), bad[i].expect), "case %zu: expected '%s' in: %s", i, bad[i].expect,
                      ov_last_error());
    }
    ck_assert_ptr_null(ov_pickle_load("/nonexistent/x.pkl", NULL));
    ck_assert_msg(strstr(ov_last_error(), "/nonexistent/x.pkl: cannot open"), "%s", ov_last_error());
}
END_TEST

/* Things that are fine: trailing data after STOP, POP of a bare MARK, ints at the edges. */
START_TEST(test_edges_accepted) {
    static const char two[] = "K\x01.K\x02.";
    ovPickle *pk = parse(two, sizeof two - 1);
    ck_assert_int_eq(ov_pickle_end(pk), 3);
    ck_assert_int_eq(ov_pickle_root(pk)->i, 1);
    ov_pickle_free(pk);
    char *r = repr_of("(N(0t.", 6); /* POP removes the bare MARK */
    ck_assert_str_eq(r, "(None)");
    free(r);
    static const char longs[] = "\x8a\x08\x00\x00\x00\x00\x00\x00\x00\x80"   /* -2^63 in 8 bytes */
                                "\x8a\x09\x00\x00\x00\x00\x00\x00\x00\x80\xff" /* the same in 9 */
                                "\x8a\x00\x87.";                                    /* 0 in no bytes */
    r = repr_of(longs, sizeof longs - 1);
    ck_assert_str_eq(r, "(-9223372036854775808, -9223372036854775808, 0)");
    free(r);
}
END_TEST

START_TEST(test_jhmdb_ground_truth) {
    const char *path = ov_shared_file("JHMDB-GT.pkl");
    if (!path) return;
    ovPickle *pk = ov_pickle_load(path, NULL);
    ck_assert_msg(pk, "%s", ov_last_error());
    ck_assert_int_eq(ov_pickle_protocol(pk), 0);
    ovPkValue *r = ov_pickle_root(pk);
    ck_assert_int_eq(r->kind, OV_PK_DICT);
    static const char *keys[] = {"labels", "gttubes", "nframes", "train_videos", "test_videos", "resolution"};
    ck_assert_int_eq(r->n, 6);
    for (int i = 0; i < 6; i++) ck_assert_msg(ov_pk_get(r, keys[i]), "no key %s", keys[i]);
    ovPkValue *labels = ov_pk_get(r, "labels");
    ck_assert_int_eq(labels->kind, OV_PK_LIST);
    ck_assert_int_eq(labels->n, 21);
    for (int i = 0; i < 21; i++) ck_assert(ov_pk_is_str(labels->items[i]));
    ck_assert_str_eq(labels->items[0]->s, "brush_hair");
    ck_assert_str_eq(labels->items[20]->s, "wave");
    ck_assert_int_eq(ov_pk_get(r, "gttubes")->n, 928);
    ck_assert_int_eq(ov_pk_get(r, "nframes")->n, 928);
    ck_assert_int_eq(ov_pk_get(r, "train_videos")->n, 3);
    /* a tube: {label: [numpy array]}; the array is an opaque numpy reconstruction with its state */
    ovPkValue *tubes = ov_pk_get(r, "gttubes"), *first = tubes->values[0];
    ck_assert_int_eq(first->kind, OV_PK_DICT);
    ovPkValue *arr = first->values[0]->items[0];
    ck_assert(ov_pk_is_call(arr, "numpy.core.multiarray", "_reconstruct"));
    ck_assert_int_eq(arr->state->kind, OV_PK_TUPLE);
    ck_assert_int_eq(arr->state->n, 5);                  /* (version, shape, dtype, fortran, raw bytes) */
    ck_assert_int_eq(arr->state->items[4]->kind, OV_PK_BYTES); /* a Python-2 str holding the floats */
    ov_pickle_free(pk);
}
END_TEST

/* A mutated pickle parses, and what it made prints, or it fails cleanly at a byte. */
static int parse_and_print(const uint8_t *data, size_t n, const char *name, void *ctx) {
    (void)ctx;
    ovPickle *pk = ov_pickle_parse(data, n, name, NULL);
    if (!pk) return -1;
    free(ov_pk_repr(ov_pickle_root(pk), 50, 100000));
    ov_pickle_free(pk);
    return 0;
}

/* Truncations and byte flips of real pickles parse or fail cleanly (ASan and the leak checker watch). */
START_TEST(test_mutations_never_crash) {
    static const ovMutFile files[] = {{"containers.p0.pkl"}, {"containers.p2.pkl"}, {"ordered.p4.pkl"}, {"namespace.p5.pkl"},
                                      {"strings.p0.pkl"},    {"scalars.p4.pkl"},    {NULL}};
    int ok = 0, rejected = 0;
    /* the alphabet: MARK, STOP, POP, TUPLE, REDUCE, BUILD, SETITEM(S), APPEND, BINGET, BINPUT,
     * TUPLE1, MEMOIZE */
    ovMutRun r = {.trials = 700, .stream = 5, .stream_step = 977, .name = "mut.pkl", .expect = "mut.pkl: byte ",
                  .parse = parse_and_print,
                  .how = {.truncate_every = 4, .max_flips = 3, OV_MUT_ALPHABET("(.0tRbsuahq\x85\x94", 3)}};
    ov_mutations_run_files(&r, FIXDIR, files, &ok, &rejected);
    ck_assert(rejected > 1000);
    ck_assert(ok > 100);
}
END_TEST

int main(void) {
    Suite *s = suite_create("pickle");
    TCase *tc = tcase_create("pickle");
    ov_tcase_leak_check(tc);
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, test_python_fixtures);
    tcase_add_test(tc, test_memo_shares_nodes);
    tcase_add_test(tc, test_cycles);
    tcase_add_test(tc, test_python2_text);
    tcase_add_test(tc, test_hooks);
    tcase_add_test(tc, test_malformed);
    tcase_add_test(tc, test_edges_accepted);
    tcase_add_test(tc, test_jhmdb_ground_truth);
    tcase_add_test(tc, test_mutations_never_crash);
    suite_add_tcase(s, tc);
    return ov_run_suite(s) ? 1 : 0;
}
