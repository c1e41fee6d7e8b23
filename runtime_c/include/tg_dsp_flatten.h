/* Raw and flatten blocks: scaled copy of the input, per-axis statistics. */
#ifndef TG_DSP_FLATTEN_H
#define TG_DSP_FLATTEN_H

#include <stdint.h>

#include "tg_dsp_moments.h"
#include "tg_names.h"

/* output[i] = input[i] * scale, i < len (output may be input). */
void tg_raw_scale(const float *input, int32_t len, float scale, float *output);

/* Bits of tg_flatten_params.statistics, in output order. */
#define TG_FLATTEN_AVERAGE 1
#define TG_FLATTEN_MINIMUM 2
#define TG_FLATTEN_MAXIMUM 4
#define TG_FLATTEN_RMS 8
#define TG_FLATTEN_STDEV 16
#define TG_FLATTEN_SKEWNESS 32
#define TG_FLATTEN_KURTOSIS 64

typedef struct {
    int32_t axes, length; /* the input: length samples of axes interleaved values */
    float scale;
    int32_t statistics;   /* TG_FLATTEN_* bits */
} tg_flatten_params;

/* Per axis the statistics of the scaled input whose bits are set, in bit order; with a
 * scale of 0 the skewness and kurtosis are 0 (a constant). Returns 0. */
int tg_flatten(const tg_flatten_params *p, const float *input, float *output);

#endif /* TG_DSP_FLATTEN_H */
