/* tg_quantize_f32_s8, tg_dequantize_s8_f32 and tg_requantize_s8 on values worked out by hand. */
#include "tg_check.h"
#include "tg_kernels.h"

static void quantize(void)
{
    /* round(x / 0.5) - 1, halves away from zero, saturated to int8 */
    static const float in[6] = {0.25f, -0.25f, 1.0f, 100.0f, -1e30f, 0.74f};
    int8_t out[6];
    const tg_quantize_params p = {6, -1, 0.5f};
    tg_quantize_f32_s8(&p, in, out);
    TG_CHECK_INT(out[0], 0);  /* 0.5 -> 1 */
    TG_CHECK_INT(out[1], -2); /* -0.5 -> -1 */
    TG_CHECK_INT(out[2], 1);
    TG_CHECK_INT(out[3], 127);
    TG_CHECK_INT(out[4], -128);
    TG_CHECK_INT(out[5], 0); /* 1.48 -> 1 */
}

static void dequantize(void)
{
    /* 0.25 * (q - 3) */
    static const int8_t in[4] = {3, 7, -128, 127};
    float out[4];
    const tg_dequantize_params p = {4, 3, 0.25};
    tg_dequantize_s8_f32(&p, in, out);
    TG_CHECK_FLOAT(out[0], 0.0);
    TG_CHECK_FLOAT(out[1], 1.0);
    TG_CHECK_FLOAT(out[2], -32.75);
    TG_CHECK_FLOAT(out[3], 31.0);
}

static void requantize(void)
{
    /* (q + 2) * 0.5 - 1 (the high multiply rounds halves up), clamped to -128..60 */
    static const int8_t in[5] = {0, 5, -7, 127, -128};
    int8_t out[5];
    const tg_requantize_params p = {5, 2, -1, 1 << 30, 0, -128, 60};
    tg_requantize_s8(&p, in, out);
    TG_CHECK_INT(out[0], 0);   /* 1 - 1 */
    TG_CHECK_INT(out[1], 3);   /* 3.5 -> 4, - 1 */
    TG_CHECK_INT(out[2], -3);  /* -2.5 -> -2, - 1 */
    TG_CHECK_INT(out[3], 60);  /* 64.5 -> 65, - 1, clamped */
    TG_CHECK_INT(out[4], -64); /* -63 - 1 */
}

int main(void)
{
    quantize();
    dequantize();
    requantize();
    return tg_check_report("tg_quantize_f32_s8, tg_dequantize_s8_f32, tg_requantize_s8");
}
