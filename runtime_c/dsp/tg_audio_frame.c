/* One frame of the signal, circularly pre-emphasized, scaled, cut or zero-padded. */
#define TG_AUDIO_FRAME_FUNCTION tg_audio_frame
#define TG_AUDIO_FRAME_SAMPLE float
#include "tg_audio_frame_body.h"
