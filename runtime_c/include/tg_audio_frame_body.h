/* The body of one framing function, for one sample type: a .c file defines
 * TG_AUDIO_FRAME_FUNCTION (the function's name) and TG_AUDIO_FRAME_SAMPLE (the type of
 * the signal's samples, float or int16_t), and TG_AUDIO_FRAME_STREAM if the samples
 * before the signal are part of it (no wrap-around), then includes this file once. The arithmetic
 * is the same for every type: each sample is converted to float as it is read (an int16
 * value is exact in float), so a function reading int16 samples returns the frame that
 * the float one returns for the same values, without a float copy of the signal.
 * See tg_audio_frame in tg_dsp_audio.h.
 */
#include "tg_dsp_audio.h"

/* Kahan summation: sum[0] the running sum, sum[1] the negated lost low part. */
static void tg_audio_kahan_add(float *sum, float value)
{
    const float y = value - sum[1];
    const float t = sum[0] + y;
    sum[1] = (t - sum[0]) - y;
    sum[0] = t;
}

/* The same step on a sum and its lost part held in two floats (kept in registers). */
/* (one line: generated libraries carry no line splices) */
#define TG_AUDIO_KAHAN_ADD(sum, lost, value) do { const float kahan_y = (value) - (lost); const float kahan_t = (sum) + kahan_y; (lost) = (kahan_t - (sum)) - kahan_y; (sum) = kahan_t; } while (0)

float TG_AUDIO_FRAME_FUNCTION(const tg_audio_frame_params *p,
                              const TG_AUDIO_FRAME_SAMPLE *signal, int32_t frame, float *out)
{
    const int32_t start = frame * p->frame_stride, shift = p->shift;
    const int32_t count = p->frame_length < p->fft_length ? p->frame_length : p->fft_length;
    const int32_t lead = shift < count ? shift : count;
    const float cof = p->cof, scale = p->scale;
    float own[2] = {0.0f, 0.0f};
    double head = 0.0, shifted;
    int32_t i;
    /* The first samples' pre-emphasis reads before the frame: their sum is head. */
    for (i = 0; i < lead; ++i) {
        int32_t previous = start + i - shift;
        float x, before;
#ifndef TG_AUDIO_FRAME_STREAM
        if (previous < 0) {
            previous += p->signal_length;
        }
#endif
        x = (float)signal[start + i];
        before = (float)signal[previous];
        out[i] = (x - cof * before) * scale;
        tg_audio_kahan_add(own, x);
        head += (double)before;
    }
    {
        /* The rest of the frame, four samples a turn (the loop's overhead shared). */
        const TG_AUDIO_FRAME_SAMPLE *frame_x = signal + start;
        float sum = own[0], lost = own[1];
        for (; i + 4 <= count; i += 4) {
            const float x0 = (float)frame_x[i], x1 = (float)frame_x[i + 1];
            const float x2 = (float)frame_x[i + 2], x3 = (float)frame_x[i + 3];
            out[i] = (x0 - cof * (float)frame_x[i - shift]) * scale;
            out[i + 1] = (x1 - cof * (float)frame_x[i + 1 - shift]) * scale;
            out[i + 2] = (x2 - cof * (float)frame_x[i + 2 - shift]) * scale;
            out[i + 3] = (x3 - cof * (float)frame_x[i + 3 - shift]) * scale;
            TG_AUDIO_KAHAN_ADD(sum, lost, x0);
            TG_AUDIO_KAHAN_ADD(sum, lost, x1);
            TG_AUDIO_KAHAN_ADD(sum, lost, x2);
            TG_AUDIO_KAHAN_ADD(sum, lost, x3);
        }
        for (; i < count; ++i) {
            const float x0 = (float)frame_x[i];
            out[i] = (x0 - cof * (float)frame_x[i - shift]) * scale;
            TG_AUDIO_KAHAN_ADD(sum, lost, x0);
        }
        own[0] = sum;
        own[1] = lost;
    }
    for (; i < p->fft_length; ++i) {
        out[i] = 0.0f;
    }
    /* The sum of the samples the pre-emphasis subtracts: head, then the frame's own
     * samples but its last shift ones. */
    shifted = head;
    if (shift < count) {
        shifted += (double)own[0] - (double)own[1];
        for (i = count - shift; i < count; ++i) {
            shifted -= (double)(float)signal[start + i];
        }
    }
    return (float)((((double)own[0] - (double)own[1]) - p->cof_exact * shifted) *
                   (double)scale);
}
