/* int8 ARG_MAX and ARG_MIN along one axis: the index of the largest (smallest) value, the
 * first of equal ones, written as int32_t or int64_t (p->index_bytes 4 or 8). */
#include "tg_kernels.h"

void tg_arg_minmax_s8(const tg_arg_minmax_params *p, const int8_t *input, void *output)
{
    int32_t outer, inner, i;
    for (outer = 0; outer < p->outer; ++outer) {
        const int8_t *row = input + outer * p->axis_size * p->inner;
        for (inner = 0; inner < p->inner; ++inner) {
            const int32_t o = outer * p->inner + inner;
            int8_t best = row[inner];
            int32_t found = 0;
            for (i = 1; i < p->axis_size; ++i) {
                const int8_t v = row[i * p->inner + inner];
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
