/* float32 ARG_MAX and ARG_MIN along one axis, as TensorFlow Lite's ArgMinMax: the index of
 * the largest (smallest) value, a later one taken only when strictly larger (smaller), so
 * the first of equal values wins; written as int32_t or int64_t (p->index_bytes 4 or 8). */
#include "tg_kernels_f32.h"

void tg_arg_minmax_f32(const tg_arg_minmax_params *p, const float *input, void *output)
{
    int32_t outer, inner, i;
    for (outer = 0; outer < p->outer; ++outer) {
        const float *row = input + outer * p->axis_size * p->inner;
        for (inner = 0; inner < p->inner; ++inner) {
            const int32_t o = outer * p->inner + inner;
            float best = row[inner];
            int32_t found = 0;
            for (i = 1; i < p->axis_size; ++i) {
                const float v = row[i * p->inner + inner];
                if (p->minimum ? v < best : v > best) {
                    best = v;
                    found = i;
                }
            }
            if (p->index_bytes == 8) {
                ((int64_t *)output)[o] = (int64_t)found;
            } else {
                ((int32_t *)output)[o] = found;
            }
        }
    }
}
