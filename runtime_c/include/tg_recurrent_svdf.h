/* Parameter structs and entry points of the SVDF kernels (a fully connected layer factored
 * into a feature filter and a time filter over a window of the last memory_size steps).
 *
 * Shapes (row-major): input [batches][input_size], weights_feature
 * [num_filters][input_size], weights_time [num_filters][memory_size], bias [num_units]
 * (NULL when the model has none), state [batches][num_filters][memory_size] (the variable
 * tensor, updated in place: the oldest step first, the newest last), output
 * [batches][num_units]; num_filters = num_units * rank, and filters u * rank .. u * rank +
 * rank - 1 feed unit u. The kernels follow TensorFlow Lite Micro's reference SVDF (and
 * TensorFlow Lite's, whose state they leave in the same layout) and use no scratch.
 */
#ifndef TG_RECURRENT_SVDF_H
#define TG_RECURRENT_SVDF_H

#include <stddef.h>
#include <stdint.h>

#include "tg_kernels.h"

/* int8 input and output, int8 feature weights, int16 time weights and state (symmetric),
 * int32 bias. The feature product is rescaled to the state's scale (feature_multiplier,
 * feature_shift) and saturated to int16; the unit's sum to the output's scale. */
typedef struct {
    int32_t batches, input_size, num_filters, num_units, rank, memory_size;
    int32_t input_offset; /* minus the input's zero point */
    int32_t feature_multiplier, feature_shift;
    int32_t output_multiplier, output_shift;
    int32_t output_offset; /* the output's zero point */
} tg_svdf_s8_params;

typedef struct {
    int32_t batches, input_size, num_filters, num_units, rank, memory_size;
    float act_min, act_max; /* the fused activation's clamp */
} tg_svdf_f32_params;

void tg_svdf_s8(const tg_svdf_s8_params *p, const int8_t *input, const int8_t *weights_feature,
                const int16_t *weights_time, const int32_t *bias, int16_t *state,
                int8_t *output);
void tg_svdf_f32(const tg_svdf_f32_params *p, const float *input, const float *weights_feature,
                 const float *weights_time, const float *bias, float *state, float *output);

#endif /* TG_RECURRENT_SVDF_H */
