/* One frame of the signal, circularly pre-emphasized, scaled, cut or zero-padded. */
#include "tg_dsp_audio.h"

/* Kahan summation: sum[0] the running sum, sum[1] the negated lost low part. */
static void tg_audio_kahan_add(float *sum, float value)
{
    const float y = value - sum[1];
    const float t = sum[0] + y;
    sum[1] = (t - sum[0]) - y;
    sum[0] = t;
}

float tg_audio_frame(const tg_audio_frame_params *p, const float *signal, int32_t frame,
                     float *out)
{
    const int32_t start = frame * p->frame_stride;
    const int32_t count = p->frame_length < p->fft_length ? p->frame_length : p->fft_length;
    float own[2] = {0.0f, 0.0f}, shifted[2] = {0.0f, 0.0f};
    double dc;
    int32_t i;
    for (i = 0; i < count; ++i) {
        const int32_t at = start + i;
        int32_t previous = at - p->shift;
        if (previous < 0) {
            previous += p->signal_length;
        }
        out[i] = (signal[at] - p->cof * signal[previous]) * p->scale;
        tg_audio_kahan_add(own, signal[at]);
        tg_audio_kahan_add(shifted, signal[previous]);
    }
    for (; i < p->fft_length; ++i) {
        out[i] = 0.0f;
    }
    dc = ((double)own[0] - (double)own[1]) -
         p->cof_exact * ((double)shifted[0] - (double)shifted[1]);
    return (float)(dc * (double)p->scale);
}
