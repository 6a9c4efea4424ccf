/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef SLUICE_REPLAY_H
#define SLUICE_REPLAY_H

#include "sl_config.h"

#define SL_REPLAY_INPUTS 8

/* sluice --replay FILE[@PORT] ... -c CONFIG [--out FILE] [--explain] [--port NAME] */
struct sl_replay_opts {
	char *inputs[SL_REPLAY_INPUTS];   /* FILE or FILE@PORT (the @ is cut off) */
	unsigned n_inputs;
	const char *out;                  /* pcap of what Sluice sent, or NULL */
	int explain;                      /* print each frame's verdict */
	int port;                         /* port index every input came in on, -1 = infer */
};

/* Run the replay (EAL in memory, one lcore); returns the exit status. */
int sl_replay(const char *prog, const struct sl_config *cfg, const struct sl_replay_opts *o);

#endif
