/* im2col.cu: image <-> column lowering on the device for the convolutions of conv.cu (see
 * im2col.h): Caffe's im2col_gpu / col2im_gpu and their 3-D forms (vol2col / col2vol), for any
 * strides, nb images and a column range. im2col gives one thread a (image, channel, column) and
 * lets it walk the channel's kd*kh*kw taps, so the column's coordinates are decoded once per
 * kvol values and neighbouring threads write neighbouring columns (coalesced). col2im is the
 * gather form: one thread per image element of the box that the chunk's columns can reach, summing
 * over the taps that land on it. The patch kernels give one thread per column-matrix element, in
 * the transposed (column-major) layout where neighbouring threads read neighbouring pixels. Sizes
 * inside an image are 32-bit; offsets are 64-bit. */
#include "kernels/cuda/common.cuh"
#include "kernels/cuda/im2col.h"

#define THREADS 128

/* ovColGeom in 32-bit sizes (strides stay 64-bit), plus the stride between images. */
struct Geo {
    int C, kvol, k[3], in[3], out[3], s[3], p[3], d[3];
    int64_t ns, cs, is[3];
};

static int narrow(int64_t v, const char *what) {
    if (v < 0 || v > INT32_MAX)
        ov_panic("convolution on the device: %s = %lld is beyond 32-bit indexing", what, (long long)v);
    return (int)v;
}

static Geo geo_of(const ovColGeom *g, int64_t ns, int64_t m) {
    Geo o;
    o.C = narrow(g->C, "channels");
    o.kvol = narrow(g->k[0] * g->k[1] * g->k[2], "kernel volume");
    for (int i = 0; i < 3; i++) {
        o.k[i] = narrow(g->k[i], "kernel size");
        o.in[i] = narrow(g->in[i], "input size");
        o.out[i] = narrow(g->out[i], "output size");
        o.s[i] = narrow(g->s[i], "stride");
        o.p[i] = narrow(g->p[i], "padding");
        o.d[i] = narrow(g->d[i], "dilation");
        o.is[i] = g->is[i];
    }
    narrow(g->in[0] * g->in[1] * g->in[2], "image volume");
    narrow(g->out[0] * g->out[1] * g->out[2], "columns of an image");
    narrow(m, "columns of a chunk");
    o.ns = ns;
    o.cs = g->cs;
    return o;
}

__global__ void im2col_kernel(float *col, const float *img, Geo g, int64_t j0, int m, int64_t total) {
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t ic = e / m; /* image * C + channel */
        int jj = (int)(e - ic * m), i = (int)(ic / g.C), c = (int)(ic - (int64_t)i * g.C);
        int j = (int)(j0 + jj), ow = j % g.out[2], q = j / g.out[2], oh = q % g.out[1], od = q / g.out[1];
        const float *src = img + i * g.ns + c * g.cs;
        float *dst = col + ic * g.kvol * m + jj;
        int bd = od * g.s[0] - g.p[0], bh = oh * g.s[1] - g.p[1], bw = ow * g.s[2] - g.p[2];
        for (int kd = 0; kd < g.k[0]; kd++) {
            int id = bd + kd * g.d[0];
            bool vd = id >= 0 && id < g.in[0];
            for (int kh = 0; kh < g.k[1]; kh++) {
                int ih = bh + kh * g.d[1];
                bool vh = vd && ih >= 0 && ih < g.in[1];
                for (int kw = 0; kw < g.k[2]; kw++, dst += m) {
                    int iw = bw + kw * g.d[2];
                    *dst = vh && iw >= 0 && iw < g.in[2] ? src[id * g.is[0] + ih * g.is[1] + iw * g.is[2]] : 0.0f;
                }
            }
        }
    }
}

/* The image elements [lo, lo + n) (per dim) that a chunk's columns can reach. */
struct Box {
    int lo[3], n[3];
};

/* Output q along dim i reads through tap k the input q*s - p + k*d; this inverts it: the output
 * that reads input x through tap k, or -1. Stride 1 (the 3x3x3 convolutions' input gradient)
 * skips the integer division. */
__device__ __forceinline__ int reader(const Geo &g, int i, int x, int k) {
    int t = x + g.p[i] - k * g.d[i];
    if (g.s[i] == 1) return t >= 0 && t < g.out[i] ? t : -1;
    if (t < 0 || t % g.s[i]) return -1;
    t /= g.s[i];
    return t < g.out[i] ? t : -1;
}

__global__ void col2im_kernel(float *img, const float *col, Geo g, int64_t j0, int m, Box b, int64_t total) {
    int vol = b.n[0] * b.n[1] * b.n[2];
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t ic = e / vol;
        int v = (int)(e - ic * vol), i = (int)(ic / g.C), c = (int)(ic - (int64_t)i * g.C);
        int x2 = b.lo[2] + v % b.n[2];
        v /= b.n[2];
        int x1 = b.lo[1] + v % b.n[1], x0 = b.lo[0] + v / b.n[1];
        const float *src = col + ic * g.kvol * m;
        float acc = 0;
        for (int kd = 0; kd < g.k[0]; kd++) {
            int od = reader(g, 0, x0, kd);
            if (od < 0) continue;
            for (int kh = 0; kh < g.k[1]; kh++) {
                int oh = reader(g, 1, x1, kh);
                if (oh < 0) continue;
                for (int kw = 0; kw < g.k[2]; kw++) {
                    int ow = reader(g, 2, x2, kw);
                    if (ow < 0) continue;
                    int64_t jj = (int64_t)(od * g.out[1] + oh) * g.out[2] + ow - j0;
                    if (jj >= 0 && jj < m) acc += src[((kd * g.k[1] + kh) * g.k[2] + kw) * (int64_t)m + jj];
                }
            }
        }
        img[i * g.ns + c * g.cs + x0 * g.is[0] + x1 * g.is[1] + x2 * g.is[2]] += acc;
    }
}

/* Offset in its image of the pixel that column j reads through row r, for patch geometry. */
__device__ __forceinline__ int64_t patch_pixel(const Geo &g, int j, int r) {
    int ow = j % g.out[2], q = j / g.out[2], oh = q % g.out[1], od = q / g.out[1];
    int c = r / g.kvol, t = r - c * g.kvol, kw = t % g.k[2];
    t /= g.k[2];
    int kh = t % g.k[1], kd = t / g.k[1];
    return c * g.cs + (od * g.k[0] + kd) * g.is[0] + (oh * g.k[1] + kh) * g.is[1] + (ow * g.k[2] + kw) * g.is[2];
}

__global__ void patch_gather_kernel(float *colT, const float *img, Geo g, int64_t j0, int m, int64_t total) {
    int R = g.C * g.kvol;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t ij = e / R; /* image * m + column */
        int r = (int)(e - ij * R), i = (int)(ij / m), jj = (int)(ij - (int64_t)i * m);
        colT[e] = img[i * g.ns + patch_pixel(g, (int)(j0 + jj), r)];
    }
}

__global__ void patch_add_kernel(float *img, const float *colT, Geo g, int64_t j0, int m, int64_t total) {
    int R = g.C * g.kvol;
    for (int64_t e = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; e < total; e += (int64_t)gridDim.x * blockDim.x) {
        int64_t ij = e / R;
        int r = (int)(e - ij * R), i = (int)(ij / m), jj = (int)(ij - (int64_t)i * m);
        img[i * g.ns + patch_pixel(g, (int)(j0 + jj), r)] += colT[e];
    }
}

/* The box of image elements that columns [j0, j0 + m) reach: the columns' output coordinates are
 * bounded per dim (a range that crosses a row or plane covers the whole row or plane), then
 * widened by the kernel's reach. */
static Box box_of(const Geo &g, int64_t j0, int64_t m) {
    int64_t j1 = j0 + m - 1, O2 = g.out[2], O12 = (int64_t)g.out[1] * O2, lo[3], hi[3];
    lo[0] = j0 / O12, hi[0] = j1 / O12;
    lo[1] = 0, hi[1] = g.out[1] - 1, lo[2] = 0, hi[2] = O2 - 1;
    if (lo[0] == hi[0]) {
        lo[1] = j0 / O2 % g.out[1], hi[1] = j1 / O2 % g.out[1];
        if (lo[1] == hi[1]) lo[2] = j0 % O2, hi[2] = j1 % O2;
    }
    Box b;
    for (int i = 0; i < 3; i++) {
        int64_t a = lo[i] * g.s[i] - g.p[i], z = hi[i] * g.s[i] - g.p[i] + (int64_t)(g.k[i] - 1) * g.d[i];
        a = a < 0 ? 0 : a;
        z = z > g.in[i] - 1 ? g.in[i] - 1 : z;
        b.lo[i] = (int)a;
        b.n[i] = z < a ? 0 : (int)(z - a + 1);
    }
    return b;
}

extern "C" {

void ov_im2col_cuda(float *col, const float *img, int64_t ns, const ovColGeom *g, int64_t nb, int64_t j0, int64_t m) {
    Geo G = geo_of(g, ns, m);
    int64_t total = nb * G.C * m;
    if (total) OV_LAUNCH(im2col_kernel, ov_grid(total, THREADS), THREADS, 0, 0, col, img, G, j0, (int)m, total);
}

void ov_col2im_add_cuda(float *img, int64_t ns, const float *col, const ovColGeom *g, int64_t nb, int64_t j0,
                        int64_t m) {
    if (!m) return;
    Geo G = geo_of(g, ns, m);
    Box b = box_of(G, j0, m);
    int64_t total = nb * G.C * b.n[0] * b.n[1] * b.n[2];
    if (total) OV_LAUNCH(col2im_kernel, ov_grid(total, THREADS), THREADS, 0, 0, img, col, G, j0, (int)m, b, total);
}

void ov_patch_gather_cuda(float *colT, const float *img, int64_t ns, const ovColGeom *g, int64_t nb, int64_t j0,
                          int64_t m) {
    Geo G = geo_of(g, ns, m);
    int64_t total = nb * m * G.C * G.kvol;
    if (total) OV_LAUNCH(patch_gather_kernel, ov_grid(total, THREADS), THREADS, 0, 0, colT, img, G, j0, (int)m, total);
}

void ov_patch_add_cuda(float *img, int64_t ns, const float *colT, const ovColGeom *g, int64_t nb, int64_t j0,
                       int64_t m) {
    Geo G = geo_of(g, ns, m);
    int64_t total = nb * m * G.C * G.kvol;
    if (total) OV_LAUNCH(patch_add_kernel, ov_grid(total, THREADS), THREADS, 0, 0, img, colT, G, j0, (int)m, total);
}

} /* extern "C" */
