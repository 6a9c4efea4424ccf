/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application context and log type, apart from main() so that the
 * rest of the application builds as a library beside it.
 */
#include "sluice.h"

RTE_LOG_REGISTER(sl_logtype, sluice, INFO);

struct sl_app sl_app = { .snap_lock = PTHREAD_MUTEX_INITIALIZER };
