/* The recurrent layers' kernels (persistent state the planner keeps beside the arena and
 * NAME_reset() restarts): SVDF and UNIDIRECTIONAL_SEQUENCE_LSTM, int8 and float32. */
#ifndef TG_RECURRENT_H
#define TG_RECURRENT_H

#include "tg_recurrent_lstm.h"
#include "tg_recurrent_svdf.h"

#endif /* TG_RECURRENT_H */
