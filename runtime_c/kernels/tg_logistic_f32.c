/* float32 LOGISTIC, as TensorFlow Lite's float reference kernel: 1 / (1 + exp(-x)), with
 * its cut-offs: 1 above 16.619047164916992188 and exp(x) below -9. */
#include <math.h>

#include "tg_kernels_f32.h"

void tg_logistic_f32(const tg_unary_f32_params *p, const float *input, float *output)
{
    const float upper = 16.619047164916992188f;
    const float lower = -9.0f;
    int32_t i;
    for (i = 0; i < p->size; ++i) {
        const float v = input[i];
        if (v > upper) {
            output[i] = 1.0f;
        } else if (v < lower) {
            output[i] = expf(v);
        } else {
            output[i] = 1.0f / (1.0f + expf(-v));
        }
    }
}
