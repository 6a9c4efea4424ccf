/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The application context and log type, apart from main() so that tools
 * (tools/sluice-perf) can drive the worker code without the process.
 */
#include "sluice.h"

RTE_LOG_REGISTER(sl_logtype, sluice, INFO);

struct sl_app sl_app = { .snap_lock = PTHREAD_MUTEX_INITIALIZER };
