/* Pixel bytes to the model's int8 input through a 256-entry table (tg_dsp_image.h). */
#include "tg_dsp_image.h"

void tg_image_to_s8(const int8_t *table, const uint8_t *pixels, int32_t n, int8_t *out)
{
    int32_t i;
    for (i = 0; i < n; ++i) {
        const uint8_t v = pixels[i];
        out[i] = table[v];
    }
}
