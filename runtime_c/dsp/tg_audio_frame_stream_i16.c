/* One frame of an int16 stream, pre-emphasized with the samples before it, scaled, cut
 * or zero-padded. */
#define TG_AUDIO_FRAME_FUNCTION tg_audio_frame_stream_i16
#define TG_AUDIO_FRAME_SAMPLE int16_t
#define TG_AUDIO_FRAME_STREAM 1
#include "tg_audio_frame_body.h"
