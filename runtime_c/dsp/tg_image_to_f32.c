/* Pixel bytes to float features through a 256-entry table (tg_dsp_image.h). */
#include "tg_dsp_image.h"

void tg_image_to_f32(const float *table, const uint8_t *pixels, int32_t n, float *out)
{
    int32_t i;
    /* Increasing i: when pixels sits at byte 3 n of out, byte 3 n + i is read
     * before out[i] (bytes 4 i .. 4 i + 3 <= 3 n + i) overwrites it. */
    for (i = 0; i < n; ++i) {
        const uint8_t v = pixels[i];
        out[i] = table[v];
    }
}
