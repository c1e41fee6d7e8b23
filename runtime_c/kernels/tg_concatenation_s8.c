/* int8 concatenation along one axis: for each index of the dimensions before the axis,
 * each input's slice after the other (the inputs share the output's quantization). */
#include "tg_kernels.h"

void tg_concatenation_s8(const tg_concatenation_params *p, const int8_t *const *inputs,
                         int8_t *output)
{
    int32_t o, k, i;
    for (o = 0; o < p->outer; ++o) {
        int8_t *out = output + o * p->out_inner;
        for (k = 0; k < p->count; ++k) {
            const int32_t inner = p->inner[k];
            const int8_t *in = inputs[k] + o * inner;
            for (i = 0; i < inner; ++i) {
                out[i] = in[i];
            }
            out += inner;
        }
    }
}
