/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>
#include <stdio.h>

#include "sl_sched.h"

static struct sl_sched_ops *sched_list;
static char sched_names[256];

void
sl_sched_register(struct sl_sched_ops *ops)
{
	struct sl_sched_ops **pp = &sched_list;

	/* keep registration order stable: append */
	while (*pp != NULL)
		pp = &(*pp)->next;
	ops->next = NULL;
	*pp = ops;
	sched_names[0] = '\0';
}

const struct sl_sched_ops *
sl_sched_find(const char *name)
{
	const struct sl_sched_ops *o;

	for (o = sched_list; o != NULL; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

const char *
sl_sched_names(void)
{
	const struct sl_sched_ops *o;
	size_t len = 0;

	if (sched_names[0] != '\0')
		return sched_names;
	for (o = sched_list; o != NULL; o = o->next) {
		int n = snprintf(sched_names + len, sizeof(sched_names) - len,
				 "%s%s", len ? "|" : "", o->name);
		if (n < 0 || (size_t)n >= sizeof(sched_names) - len)
			break;
		len += n;
	}
	return sched_names;
}
