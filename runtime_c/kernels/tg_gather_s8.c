/* int8 GATHER: for each batch, outer index and coordinate, the inner run of the input at the
 * index the coordinate holds; an index outside [0, axis_size) gives a run of p->fill (the
 * output's zero point) and reads nothing. The indices are p->indices when `indices` is NULL
 * (constant ones), else the int32 tensor `indices`. */
#include <string.h>

#include "tg_kernels.h"

void tg_gather_s8(const tg_gather_params *p, const int8_t *input, const int32_t *indices,
                  int8_t *output)
{
    const int32_t *coords = indices != NULL ? indices : p->indices;
    const int32_t inner = p->inner_size;
    int32_t b, o, c;
    for (b = 0; b < p->batch_size; ++b) {
        const int32_t *batch_coords = coords + b * p->coord_size;
        for (o = 0; o < p->outer_size; ++o) {
            const int8_t *in = input + (b * p->outer_size + o) * p->axis_size * inner;
            for (c = 0; c < p->coord_size; ++c) {
                const int32_t k = batch_coords[c];
                if (k >= 0 && k < p->axis_size) {
                    memcpy(output, in + k * inner, (size_t)inner);
                } else {
                    memset(output, (int)p->fill, (size_t)inner);
                }
                output += inner;
            }
        }
    }
}
