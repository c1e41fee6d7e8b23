/* tg_max_pool_s8 and tg_avg_pool_s8 on small tensors whose results are worked out by hand. */
#include <string.h>

#include "tg_check.h"
#include "tg_kernels.h"

static const int8_t image[16] = {
    1,  2,  3,  4,  /* a 4 x 4 x 1 input */
    5,  6,  7,  8,
    -9, -1, -3, -4,
    -5, -6, -7, -8,
};

static tg_pool_params pool(int32_t in_h, int32_t in_w, int32_t channels, int32_t out_h,
                           int32_t out_w, int32_t filter, int32_t stride, int32_t pad)
{
    tg_pool_params p;
    memset(&p, 0, sizeof p);
    p.batches = 1;
    p.in_h = in_h;
    p.in_w = in_w;
    p.channels = channels;
    p.out_h = out_h;
    p.out_w = out_w;
    p.filter_h = filter;
    p.filter_w = filter;
    p.stride_h = stride;
    p.stride_w = stride;
    p.pad_h = pad;
    p.pad_w = pad;
    p.act_min = -128;
    p.act_max = 127;
    return p;
}

static void max_pool(void)
{
    int8_t out[4];
    tg_pool_params p = pool(4, 4, 1, 2, 2, 2, 2, 0);
    tg_max_pool_s8(&p, image, out);
    TG_CHECK_INT(out[0], 6);
    TG_CHECK_INT(out[1], 8);
    TG_CHECK_INT(out[2], -1);
    TG_CHECK_INT(out[3], -3);

    p.act_min = -2; /* the activation's range clamps the maxima */
    p.act_max = 7;
    tg_max_pool_s8(&p, image, out);
    TG_CHECK_INT(out[1], 7);
    TG_CHECK_INT(out[3], -2);

    /* 3 x 3 windows at stride 2 with one pixel of padding: only the valid part counts,
     * so the corner window (rows and columns -1..1) is the maximum of 1, 2, 5, 6. */
    p = pool(4, 4, 1, 2, 2, 3, 2, 1);
    tg_max_pool_s8(&p, image, out);
    TG_CHECK_INT(out[0], 6);
    TG_CHECK_INT(out[1], 8);
    TG_CHECK_INT(out[2], 6);
    TG_CHECK_INT(out[3], 8);
}

static void avg_pool(void)
{
    /* two channels interleaved: (1, -1), (2, -2), (3, -3), (4, -4) */
    static const int8_t pixels[8] = {1, -1, 2, -2, 3, -3, 4, -4};
    static const int8_t row[3] = {1, 2, 4};
    int8_t out[2];
    tg_pool_params p = pool(2, 2, 2, 1, 1, 2, 2, 0);
    tg_avg_pool_s8(&p, pixels, out);
    TG_CHECK_INT(out[0], 3);  /* 10 / 4 = 2.5, halves away from zero */
    TG_CHECK_INT(out[1], -3); /* -2.5 */

    /* 1 x 2 windows along a row of three: (1 + 2) / 2 = 1.5 and (2 + 4) / 2 = 3 */
    p = pool(1, 3, 1, 1, 2, 1, 1, 0);
    p.filter_w = 2;
    tg_avg_pool_s8(&p, row, out);
    TG_CHECK_INT(out[0], 2);
    TG_CHECK_INT(out[1], 3);

    /* 3 x 3 windows at stride 2 with padding 1 average the valid pixels only */
    p = pool(4, 4, 1, 2, 2, 3, 2, 1);
    {
        int8_t four[4];
        tg_avg_pool_s8(&p, image, four);
        TG_CHECK_INT(four[0], 4);  /* (1 + 2 + 5 + 6) / 4 = 3.5 */
        TG_CHECK_INT(four[1], 5);  /* (2 + 3 + 4 + 6 + 7 + 8) / 6 */
        TG_CHECK_INT(four[2], -2); /* (5 + 6 - 9 - 1 - 5 - 6) / 6 = -1.67 */
        TG_CHECK_INT(four[3], -1); /* (6 + 7 + 8 - 1 - 3 - 4 - 6 - 7 - 8) / 9 = -0.89 */
    }
}

int main(void)
{
    max_pool();
    avg_pool();
    return tg_check_report("tg_max_pool_s8, tg_avg_pool_s8");
}
