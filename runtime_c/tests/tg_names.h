/* The runtime's tests link the kernels under their own names (a generated library's
 * tg_names.h prefixes them instead). */
#ifndef TG_NAMES_H
#define TG_NAMES_H
#endif /* TG_NAMES_H */
