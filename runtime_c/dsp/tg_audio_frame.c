/* One frame of the signal, circularly pre-emphasized, scaled, cut or zero-padded. */
#include "tg_dsp_audio.h"

void tg_audio_frame(const tg_audio_frame_params *p, const float *signal, int32_t frame,
                    float *out)
{
    const int32_t start = frame * p->frame_stride;
    const int32_t count = p->frame_length < p->fft_length ? p->frame_length : p->fft_length;
    int32_t i;
    for (i = 0; i < count; ++i) {
        const int32_t at = start + i;
        int32_t previous = at - p->shift;
        if (previous < 0) {
            previous += p->signal_length;
        }
        out[i] = (signal[at] - p->cof * signal[previous]) * p->scale;
    }
    for (; i < p->fft_length; ++i) {
        out[i] = 0.0f;
    }
}
