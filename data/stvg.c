/* stvg.c: HC-STVG and VidSTG (+ VidOR) JSON into video region-text pairs (stvg.h). */
#include "data/stvg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dir.h"
#include "data/json.h"
#include "eval/util.h"
#include "tensor/error.h"
#include "tensor/file.h"

void ov_region_texts_free(ovRegionTexts *r) {
    for (int i = 0; i < r->n; i++) {
        free(r->p[i].video);
        free(r->p[i].text);
        free(r->p[i].frames);
        free(r->p[i].boxes);
    }
    free(r->p);
    memset(r, 0, sizeof *r);
}

long ov_region_texts_boxes(const ovRegionTexts *r) {
    long n = 0;
    for (int i = 0; i < r->n; i++) n += r->p[i].n;
    return n;
}

long ov_region_texts_unique(const ovRegionTexts *r) {
    ovNameIndex idx;
    ov_name_index_init(&idx, r->n);
    long u = 0;
    for (int i = 0; i < r->n; i++)
        if (ov_name_index_get(&idx, r->p[i].text) < 0) {
            ov_name_index_put(&idx, r->p[i].text, i);
            u++;
        }
    ov_name_index_free(&idx);
    return u;
}

static ovRegionText *add_pair(ovRegionTexts *r, const char *video, const char *text, int n) {
    OV_EV_GROW(r->p, r->n, r->cap);
    ovRegionText *p = &r->p[r->n++];
    memset(p, 0, sizeof *p);
    p->video = ov_ev_strdup(video);
    p->text = ov_ev_strdup(text);
    p->frames = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *p->frames);
    p->boxes = ov_ev_alloc((size_t)(n ? n : 1) * sizeof *p->boxes);
    return p;
}

/* ---- HC-STVG ---- */

static int hcstvg_video(const char *name, const cJSON *e, int sample, ovRegionTexts *out) {
    const char *vid = e->string;
    if (!cJSON_IsObject(e)) return ov_error("%s: \"%s\" is %s, not an object", name, vid, ov_json_what(e));
    const char *cap = ov_json_str(ov_json_get(e, "English"));
    if (!cap) cap = ov_json_str(ov_json_get(e, "caption"));
    if (!cap) return ov_error("%s: \"%s\" has no \"English\" (v2) or \"caption\" (v1) string", name, vid);
    long nimg, st, h = 0, w = 0;
    if (ov_json_int(ov_json_get(e, "img_num"), 1, 100000000, &nimg))
        return ov_error("%s: \"%s\": \"img_num\" is %s, not a frame count", name, vid, ov_json_what(ov_json_get(e, "img_num")));
    if (ov_json_int(ov_json_get(e, "st_frame"), 1, 100000000, &st))
        return ov_error("%s: \"%s\": \"st_frame\" is not a frame number from 1", name, vid);
    const cJSON *size = ov_json_get(e, "img_size");
    if (size) {
        if (cJSON_GetArraySize(size) != 2 || ov_json_int(cJSON_GetArrayItem(size, 0), 1, 1000000, &h) ||
            ov_json_int(cJSON_GetArrayItem(size, 1), 1, 1000000, &w))
            return ov_error("%s: \"%s\": \"img_size\" is not [height, width]", name, vid);
    } else if (ov_json_int(ov_json_get(e, "height"), 1, 1000000, &h) || ov_json_int(ov_json_get(e, "width"), 1, 1000000, &w)) {
        return ov_error("%s: \"%s\" has neither \"img_size\" nor \"width\" and \"height\"", name, vid);
    }
    const cJSON *bbox = ov_json_get(e, "bbox");
    if (!cJSON_IsArray(bbox)) return ov_error("%s: \"%s\": \"bbox\" is %s, not an array of [x, y, w, h]", name, vid, ov_json_what(bbox));
    int nb = cJSON_GetArraySize(bbox);
    ovBox *boxes = ov_ev_alloc((size_t)(nb ? nb : 1) * sizeof *boxes);
    int k = 0;
    const cJSON *b;
    cJSON_ArrayForEach(b, bbox) {
        double v[4];
        bool ok = cJSON_IsArray(b) && cJSON_GetArraySize(b) == 4;
        for (int j = 0; j < 4 && ok; j++) ok = !ov_json_num(cJSON_GetArrayItem(b, j), &v[j]);
        if (!ok) {
            free(boxes);
            return ov_error("%s: \"%s\": bbox[%d] is not [x, y, w, h]", name, vid, k);
        }
        boxes[k++] = (ovBox){v[0], v[1], v[0] + v[2], v[1] + v[3]};
    }
    char **sent;
    int ns = ov_stvg_split_sentences(cap, &sent);
    out->annotations++;
    out->sentences += ns;
    for (int s = 0; s < ns; s++) {
        int a = (int)((long)s * nb / ns), z = (int)((long)(s + 1) * nb / ns); /* the s-th of ns near-equal parts */
        if (z <= a) {
            out->empty++;
        } else {
            ovRegionText *p = add_pair(out, vid, sent[s], z - a);
            p->sample = sample;
            p->part = s;
            p->nparts = ns;
            p->nframes = (int)nimg;
            p->width = (int)w;
            p->height = (int)h;
            for (int i = a; i < z; i++) {
                p->frames[p->n] = (int)st + i;
                p->boxes[p->n++] = boxes[i];
            }
        }
        free(sent[s]);
    }
    free(sent);
    free(boxes);
    return 0;
}

int ov_hcstvg_parse(const char *text, size_t len, const char *name, ovRegionTexts *out) {
    memset(out, 0, sizeof *out);
    cJSON *root = ov_json_parse(text, len, name);
    if (!root) return -1;
    int rc = 0, sample = 0;
    if (!cJSON_IsObject(root)) rc = ov_error("%s: the top level is %s, not an object keyed by video", name, ov_json_what(root));
    const cJSON *e;
    if (!rc) cJSON_ArrayForEach(e, root) {
            if ((rc = hcstvg_video(name, e, sample++, out))) break;
        }
    cJSON_Delete(root);
    if (rc) ov_region_texts_free(out);
    return rc;
}

int ov_hcstvg_read(const char *json, ovRegionTexts *out) {
    uint8_t *data;
    size_t n;
    memset(out, 0, sizeof *out);
    if (ov_read_file(json, &data, &n)) return -1;
    int rc = ov_hcstvg_parse((const char *)data, n, json, out);
    free(data);
    return rc;
}

/* ---- VidSTG ---- */

static bool is_person(const char *category) {
    return category && (!strcmp(category, "adult") || !strcmp(category, "child") || !strcmp(category, "baby"));
}

/* The category of object tid in a "subject/objects" list; NULL when absent. */
static const char *category_of(const cJSON *objs, long tid) {
    const cJSON *o;
    cJSON_ArrayForEach(o, objs) {
        long t;
        if (!ov_json_int(ov_json_get(o, "tid"), -1000000000L, 1000000000L, &t) && t == tid)
            return ov_json_str(ov_json_get(o, "category"));
    }
    return NULL;
}

typedef struct {
    const char *name;
    ovVidorFetch fetch;
    void *ctx;
    char *vid;    /* the VidOR file in `vidor` */
    cJSON *vidor;
} Vs;

/* The VidOR annotation of vid (cached: VidSTG lists a video's entries together). */
static const cJSON *vidor_of(Vs *s, const char *vid) {
    if (s->vid && !strcmp(s->vid, vid)) return s->vidor;
    cJSON_Delete(s->vidor);
    free(s->vid);
    s->vidor = NULL;
    s->vid = NULL;
    size_t n;
    char *text = s->fetch(s->ctx, vid, &n);
    if (!text) return NULL;
    char label[300];
    snprintf(label, sizeof label, "VidOR %.200s.json", vid);
    s->vidor = ov_json_parse(text, n, label);
    free(text);
    if (!s->vidor) return NULL;
    if (!cJSON_IsArray(ov_json_get(s->vidor, "trajectories"))) {
        ov_error("%s: no \"trajectories\" array", label);
        cJSON_Delete(s->vidor);
        s->vidor = NULL;
        return NULL;
    }
    s->vid = ov_ev_strdup(vid);
    return s->vidor;
}

/* One declarative caption of entry e: the target's boxes over [begin, end). */
static int vidstg_caption(Vs *s, const cJSON *e, const cJSON *cap, int sample, long begin, long end, ovRegionTexts *out) {
    const char *vid = ov_json_str(ov_json_get(e, "vid"));
    const char *text = ov_json_str(ov_json_get(cap, "description"));
    long tid;
    if (!text || ov_json_int(ov_json_get(cap, "target_id"), -1000000000L, 1000000000L, &tid))
        return ov_error("%s: entry %d: a caption without \"description\" and \"target_id\"", s->name, sample);
    out->sentences++;
    const cJSON *vo = vidor_of(s, vid);
    if (!vo) return -1;
    const char *cat = category_of(ov_json_get(e, "subject/objects"), tid);
    if (!cat) cat = category_of(ov_json_get(vo, "subject/objects"), tid);
    if (!is_person(cat)) {
        out->not_human++;
        return 0;
    }
    const cJSON *traj = ov_json_get(vo, "trajectories");
    int nt = cJSON_GetArraySize(traj);
    long hi = end < nt ? end : nt;
    ovRegionText *p = add_pair(out, vid, text, (int)(hi > begin ? hi - begin : 1));
    p->sample = sample;
    p->nparts = 1;
    long v;
    double fps;
    if (!ov_json_int(ov_json_get(e, "frame_count"), 1, 100000000, &v)) p->nframes = (int)v;
    if (!ov_json_int(ov_json_get(e, "width"), 1, 1000000, &v)) p->width = (int)v;
    if (!ov_json_int(ov_json_get(e, "height"), 1, 1000000, &v)) p->height = (int)v;
    if (!ov_json_num(ov_json_get(e, "fps"), &fps)) p->fps = fps;
    const cJSON *frame = cJSON_GetArrayItem(traj, (int)begin);
    for (long f = begin; f < hi; f++, frame = frame ? frame->next : NULL) {
        const cJSON *o;
        cJSON_ArrayForEach(o, frame) {
            long t;
            if (ov_json_int(ov_json_get(o, "tid"), -1000000000L, 1000000000L, &t) || t != tid) continue;
            const cJSON *bb = ov_json_get(o, "bbox");
            double x1, y1, x2, y2;
            if (ov_json_num(ov_json_get(bb, "xmin"), &x1) || ov_json_num(ov_json_get(bb, "ymin"), &y1) ||
                ov_json_num(ov_json_get(bb, "xmax"), &x2) || ov_json_num(ov_json_get(bb, "ymax"), &y2))
                return ov_error("VidOR %s.json: frame %ld: the box of tid %ld is not {xmin, ymin, xmax, ymax}", vid, f, tid);
            p->frames[p->n] = (int)f + 1;
            p->boxes[p->n++] = (ovBox){x1, y1, x2, y2};
            break;
        }
    }
    if (!p->n) { /* nothing of the target in its span */
        out->empty++;
        free(p->video);
        free(p->text);
        free(p->frames);
        free(p->boxes);
        out->n--;
    }
    return 0;
}

static int vidstg_entry(Vs *s, const cJSON *e, int sample, ovRegionTexts *out) {
    if (!cJSON_IsObject(e)) return ov_error("%s: entry %d is %s, not an object", s->name, sample, ov_json_what(e));
    const char *vid = ov_json_str(ov_json_get(e, "vid"));
    if (!vid || !*vid || strchr(vid, '/') || strstr(vid, ".."))
        return ov_error("%s: entry %d has no \"vid\" video id", s->name, sample);
    const cJSON *tg = ov_json_get(e, "temporal_gt");
    long begin, end;
    if (ov_json_int(ov_json_get(tg, "begin_fid"), 0, 100000000, &begin) ||
        ov_json_int(ov_json_get(tg, "end_fid"), begin, 100000000, &end))
        return ov_error("%s: entry %d (%s): \"temporal_gt\" is not {begin_fid, end_fid} with begin <= end", s->name, sample, vid);
    const cJSON *caps = ov_json_get(e, "captions"), *qs = ov_json_get(e, "questions");
    if (caps && !cJSON_IsArray(caps)) return ov_error("%s: entry %d (%s): \"captions\" is not an array", s->name, sample, vid);
    out->annotations++;
    out->questions += cJSON_IsArray(qs) ? cJSON_GetArraySize(qs) : 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, caps) {
        if (vidstg_caption(s, e, c, sample, begin, end, out)) return -1;
    }
    return 0;
}

int ov_vidstg_parse(const char *text, size_t len, const char *name, ovVidorFetch fetch, void *ctx, ovRegionTexts *out) {
    memset(out, 0, sizeof *out);
    cJSON *root = ov_json_parse(text, len, name);
    if (!root) return -1;
    Vs s = {.name = name, .fetch = fetch, .ctx = ctx};
    int rc = 0, sample = 0;
    if (!cJSON_IsArray(root)) rc = ov_error("%s: the top level is %s, not a list of entries", name, ov_json_what(root));
    const cJSON *e;
    if (!rc) cJSON_ArrayForEach(e, root) {
            if ((rc = vidstg_entry(&s, e, sample++, out))) break;
        }
    cJSON_Delete(s.vidor);
    free(s.vid);
    cJSON_Delete(root);
    if (rc) ov_region_texts_free(out);
    return rc;
}

/* The VidOR files under a folder, by video id (the file name without .json), up to 3 levels deep. */
typedef struct {
    const char *root;
    ovNameIndex idx;
    char **ids, **paths;
    int n, cap;
    bool scanned;
} VidorDir;

static void scan(VidorDir *d, const char *dir, int depth) {
    char **names;
    int n;
    if (ov_dir_list(dir, OV_DIR_ALL, &names, &n)) return;
    for (int i = 0; i < n; i++) {
        char path[4096];
        if (ov_path_printf(path, sizeof path, "%s/%s", dir, names[i])) continue;
        size_t l = strlen(names[i]);
        if (ov_is_dir(path)) {
            if (depth < 3) scan(d, path, depth + 1);
        } else if (l > 5 && !strcmp(names[i] + l - 5, ".json")) {
            names[i][l - 5] = 0;
            OV_EV_GROW(d->ids, d->n, d->cap);
            d->paths = ov_ev_realloc(d->paths, (size_t)d->cap * sizeof *d->paths);
            d->ids[d->n] = ov_ev_strdup(names[i]);
            d->paths[d->n] = ov_ev_strdup(path);
            ov_name_index_put(&d->idx, d->ids[d->n], d->n);
            d->n++;
        }
    }
    ov_dir_free(names, n);
}

static char *fetch_file(void *ctx, const char *vid, size_t *n) {
    VidorDir *d = ctx;
    if (!d->scanned) {
        ov_name_index_init(&d->idx, 1024);
        scan(d, d->root, 0);
        d->scanned = true;
    }
    int i = ov_name_index_get(&d->idx, vid);
    if (i < 0) {
        ov_error("%s: no VidOR annotation %s.json under it", d->root, vid);
        return NULL;
    }
    uint8_t *data;
    if (ov_read_file(d->paths[i], &data, n)) return NULL;
    return (char *)data;
}

int ov_vidstg_read(const char *json, const char *vidor_dir, ovRegionTexts *out) {
    memset(out, 0, sizeof *out);
    if (!ov_is_dir(vidor_dir)) return ov_error("%s: the VidOR annotation folder does not exist", vidor_dir);
    uint8_t *data;
    size_t n;
    if (ov_read_file(json, &data, &n)) return -1;
    VidorDir d = {.root = vidor_dir};
    int rc = ov_vidstg_parse((const char *)data, n, json, fetch_file, &d, out);
    free(data);
    for (int i = 0; i < d.n; i++) {
        free(d.ids[i]);
        free(d.paths[i]);
    }
    free(d.ids);
    free(d.paths);
    ov_name_index_free(&d.idx);
    return rc;
}
