/* proposals.h: person boxes from an external detector, for two-stage detection (datasets-and-
 * eval.md §3.2, openmixer.md §4):
 *   - OpenMixer's JHMDB-MaskRCNN.pkl (third_party/run_maskrcnn.py): {video: {'boxes': {fid: (n, 4)},
 *     'scores': {fid: (n,)}}}, boxes normalised x1,y1,x2,y2, fid the 0-based frame index (numpy
 *     ints); here frame = fid + 1, the 1-based number of the image file and of the ground truth.
 *     OpenMixer looks the boxes up under the 1-based ground-truth frame number, i.e. it uses the
 *     boxes of the next image; ov_proposals_find(p, video, frame + 1) reproduces that.
 *   - AVA's *_predicted_boxes.csv (LFB/Detectron): video_id,timestamp,x1,y1,x2,y2,,score, boxes
 *     normalised, frame = the second;
 *   - mmaction2's ava_dense_proposals_*.pkl: {"video,%04d": array (n, 5) [x1,y1,x2,y2,score]}.
 * Boxes below min_score are dropped as they are read (SlowFast filters at 0.8-0.9; the ViCLIP
 * region-text paper uses 0.8 on AVA). Within a frame the boxes keep the file's order. */
#ifndef OV_DATA_PROPOSALS_H
#define OV_DATA_PROPOSALS_H

#include <stddef.h>

typedef struct {
    char *video;
    int frame;
    int n;
    float *boxes;  /* n x 4: x1, y1, x2, y2 */
    float *scores; /* n */
} ovProposalFrame;

typedef struct {
    int n, cap;
    ovProposalFrame *f;
    long kept, dropped; /* boxes kept / below min_score */
    void *index;        /* private: (video, frame) lookup */
} ovProposals;

void ov_proposals_free(ovProposals *p);
/* The boxes of (video, frame), or NULL when the file has none there. */
const ovProposalFrame *ov_proposals_find(const ovProposals *p, const char *video, int frame);

int ov_proposals_read_maskrcnn(const char *path, double min_score, ovProposals *p);
int ov_proposals_parse_maskrcnn(const void *data, size_t n, const char *name, double min_score, ovProposals *p);
int ov_proposals_read_ava_csv(const char *path, double min_score, ovProposals *p);
int ov_proposals_parse_ava_csv(const char *text, size_t len, const char *name, double min_score, ovProposals *p);
int ov_proposals_read_ava_pkl(const char *path, double min_score, ovProposals *p);
int ov_proposals_parse_ava_pkl(const void *data, size_t n, const char *name, double min_score, ovProposals *p);

#endif
