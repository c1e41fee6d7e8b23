/* int8 split along one axis (SPLIT, SPLIT_V, UNPACK): for each index of the dimensions before
 * the axis, the input holds each output's run after the other (the outputs share the input's
 * quantization; none overlaps the input). */
#include <string.h>

#include "tg_kernels.h"

void tg_split_s8(const tg_split_params *p, const int8_t *input, const tg_s8_output *outputs)
{
    int32_t o, k;
    for (o = 0; o < p->outer; ++o) {
        const int8_t *in = input + o * p->in_inner;
        for (k = 0; k < p->count; ++k) {
            const int32_t inner = p->inner[k];
            memcpy(outputs[k] + o * inner, in, (size_t)inner);
            in += inner;
        }
    }
}
