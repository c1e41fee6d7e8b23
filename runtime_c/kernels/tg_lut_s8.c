/* int8 operators whose output byte is a function of the input byte alone (LOGISTIC, TANH,
 * HARD_SWISH, LEAKY_RELU, a PRELU with one alpha): a lookup in the 256-byte table the
 * generator computed, indexed by the input byte read as unsigned. */
#include "tg_kernels.h"

void tg_lut_s8(const tg_lut_params *p, const int8_t *input, int8_t *output)
{
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        output[i] = p->table[(uint8_t)input[i]];
    }
}
