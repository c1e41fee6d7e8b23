/* Parameter structs and entry points of the UNIDIRECTIONAL_SEQUENCE_LSTM kernels.
 *
 * Both run the plain (keras) LSTM batch-major, as TensorFlow Lite Micro does: for each
 * batch, for each time step, the four gates (input, forget, cell, output) are
 * act(W_g x_t + b_g + R_g h), then c = f * c + i * g (clipped when use_clip), and
 * h = o * tanh(c), which is also the step's output row. The weights W_g are
 * [state_size][input_size], R_g [state_size][state_size]; the hidden and cell state
 * ([batches][state_size]) persist between invocations and are updated in place.
 *
 * Memory contract: the output must not overlap the input (later steps read the input
 * after earlier steps have written their output rows).
 */
#ifndef TG_RECURRENT_LSTM_H
#define TG_RECURRENT_LSTM_H

#include <stdint.h>

#include "tg_kernels.h"

/* int8 LSTM with int16 gates and cell state (TFLM's 8x8->16 integer LSTM). Gate g's
 * fully connected layers requantize to Q3.12 with in_multiplier[g] / in_shift[g] and
 * rec_multiplier[g] / rec_shift[g]; in_bias and rec_bias ([4][state_size]) hold the
 * biases with the zero-point terms folded in. */
typedef struct {
    int32_t batches, time_steps, input_size, state_size;
    int32_t in_multiplier[4];
    int32_t in_shift[4];
    int32_t rec_multiplier[4];
    int32_t rec_shift[4];
    const int32_t *in_bias;
    const int32_t *rec_bias;
    int32_t forget_multiplier, forget_shift; /* f * c -> c */
    int32_t input_multiplier, input_shift;   /* i * g -> c */
    int32_t hidden_multiplier, hidden_shift, hidden_zero_point; /* o * tanh(c) -> h */
    int32_t tanh_multiplier, tanh_shift; /* the cell state into the int16 tanh */
    int32_t use_clip, cell_clip;
} tg_lstm_s8_params;

void tg_lstm_s8(const tg_lstm_s8_params *p, const int8_t *input,
                const int8_t *w_input, const int8_t *w_forget, const int8_t *w_cell,
                const int8_t *w_output, const int8_t *r_input, const int8_t *r_forget,
                const int8_t *r_cell, const int8_t *r_output, int8_t *hidden, int16_t *cell,
                int8_t *output);

/* float32 LSTM; bias is [4][state_size] in gate order input, forget, cell, output. */
typedef struct {
    int32_t batches, time_steps, input_size, state_size;
    int32_t use_clip;
    float cell_clip;
    const float *bias;
} tg_lstm_f32_params;

void tg_lstm_f32(const tg_lstm_f32_params *p, const float *input,
                 const float *w_input, const float *w_forget, const float *w_cell,
                 const float *w_output, const float *r_input, const float *r_forget,
                 const float *r_cell, const float *r_output, float *hidden, float *cell,
                 float *output);

#endif /* TG_RECURRENT_LSTM_H */
