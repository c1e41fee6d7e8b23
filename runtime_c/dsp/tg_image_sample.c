/* Bilinear resize, letterbox fill and grayscale of an 8-bit image (tg_dsp_image.h). */
#include "tg_dsp_image.h"

#define TG_IMAGE_ONE ((uint32_t)1 << TG_IMAGE_WEIGHT_BITS)
#define TG_IMAGE_SHIFT (2 * TG_IMAGE_WEIGHT_BITS)

/* One channel: a, b on the first row, c, d on the second. At most
 * 255 * 2^22 + 2^21 < 2^31 before the shift, and at most 255 after it. */
static uint32_t tg_image_blend(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t wx,
                               uint32_t wy)
{
    const uint32_t top = a * (TG_IMAGE_ONE - wx) + b * wx;
    const uint32_t bottom = c * (TG_IMAGE_ONE - wx) + d * wx;
    return (top * (TG_IMAGE_ONE - wy) + bottom * wy + ((uint32_t)1 << (TG_IMAGE_SHIFT - 1))) >>
           TG_IMAGE_SHIFT;
}

static uint8_t *tg_image_fill(uint8_t *out, int32_t count, uint8_t value)
{
    int32_t i;
    for (i = 0; i < count; ++i) {
        out[i] = value;
    }
    return out + count;
}

void tg_image_sample(const tg_image_params *p, const uint8_t *input, uint8_t *pixels)
{
    /* Locals: the byte stores below may alias *p as far as the compiler knows. */
    const int32_t oc = p->out_channels, gray_in = p->in_channels == 1, box_w = p->box_w;
    const int32_t row_bytes = p->out_w * oc;
    const uint8_t fill = (uint8_t)p->fill;
    const uint16_t *x_off0 = p->x_off0, *x_off1 = p->x_off1, *x_w = p->x_w;
    uint8_t *out = pixels;
    int32_t x, y;

    out = tg_image_fill(out, p->box_y * row_bytes, fill);
    for (y = 0; y < p->box_h; ++y) {
        const uint8_t *r0 = input + p->y_off0[y];
        const uint8_t *r1 = input + p->y_off1[y];
        const uint32_t wy = p->y_w[y];
        out = tg_image_fill(out, p->box_x * oc, fill);
        for (x = 0; x < box_w; ++x) {
            const uint32_t a = x_off0[x], b = x_off1[x], wx = x_w[x];
            if (gray_in) {
                const uint8_t v = (uint8_t)tg_image_blend(r0[a], r0[b], r1[a], r1[b], wx, wy);
                out = tg_image_fill(out, oc, v);
            } else {
                const uint32_t red = tg_image_blend(r0[a], r0[b], r1[a], r1[b], wx, wy);
                const uint32_t green =
                    tg_image_blend(r0[a + 1], r0[b + 1], r1[a + 1], r1[b + 1], wx, wy);
                const uint32_t blue =
                    tg_image_blend(r0[a + 2], r0[b + 2], r1[a + 2], r1[b + 2], wx, wy);
                if (oc == 1) {
                    const uint32_t luma = 19595u * red + 38470u * green + 7471u * blue;
                    *out++ = (uint8_t)((luma + 32768u) >> 16);
                } else {
                    *out++ = (uint8_t)red;
                    *out++ = (uint8_t)green;
                    *out++ = (uint8_t)blue;
                }
            }
        }
        out = tg_image_fill(out, (p->out_w - p->box_x - box_w) * oc, fill);
    }
    (void)tg_image_fill(out, (p->out_h - p->box_y - p->box_h) * row_bytes, fill);
}
