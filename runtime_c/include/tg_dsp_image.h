/* Image block: bilinear resize in integer arithmetic, grayscale, output conversion.
 *
 * Every table is const data written by tinygen/dsp/image.py. The resized image
 * lies in a box of the output (the whole output unless letterboxed); pixels
 * outside it take the fill value. Inside it, output column x of the box samples
 * input bytes x_off0[x] and x_off1[x] of a row, the second with weight x_w[x]
 * in 1/2048; output row y samples the rows starting at input bytes y_off0[y]
 * and y_off1[y], the second with weight y_w[y]. A sample is
 *   (((a (2048 - wx) + b wx) (2048 - wy) + (c (2048 - wx) + d wx) wy) + 2^21) >> 22
 * per channel. Grayscale from RGB is (19595 R + 38470 G + 7471 B + 32768) >> 16
 * of the resized R, G, B; grayscale input to RGB output repeats the value.
 */
#ifndef TG_DSP_IMAGE_H
#define TG_DSP_IMAGE_H

#include <stdint.h>

#include "tg_names.h"

#define TG_IMAGE_WEIGHT_BITS 11

typedef struct {
    int32_t out_w, out_h;               /* output pixels */
    int32_t box_x, box_y, box_w, box_h; /* where the resized image lies in the output */
    int32_t in_channels;                /* 3: R, G, B bytes; 1: gray bytes */
    int32_t out_channels;               /* 3 or 1 */
    int32_t fill;                       /* 0..255: every channel outside the box */
    const uint16_t *x_off0, *x_off1, *x_w; /* box_w entries each */
    const uint32_t *y_off0, *y_off1;       /* box_h entries each */
    const uint16_t *y_w;
} tg_image_params;

/* Writes out_w * out_h * out_channels pixel bytes (0..255), row by row, channels
 * interleaved. Reads nothing but input and p; uses no memory besides pixels. */
void tg_image_sample(const tg_image_params *p, const uint8_t *input, uint8_t *pixels);

/* out[i] = table[pixels[i]] for i = 0 .. n - 1, in increasing order of i.
 * pixels may lie inside out at or after byte 3 * n (each byte is read before
 * the float written over it). */
void tg_image_to_f32(const float *table, const uint8_t *pixels, int32_t n, float *out);

/* out[i] = table[pixels[i]]; pixels may be the bytes of out. */
void tg_image_to_s8(const int8_t *table, const uint8_t *pixels, int32_t n, int8_t *out);

#endif /* TG_DSP_IMAGE_H */
