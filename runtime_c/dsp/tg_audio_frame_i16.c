/* One frame of an int16 signal, circularly pre-emphasized, scaled, cut or zero-padded. */
#define TG_AUDIO_FRAME_FUNCTION tg_audio_frame_i16
#define TG_AUDIO_FRAME_SAMPLE int16_t
#include "tg_audio_frame_body.h"
