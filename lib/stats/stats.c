/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>

#include "sl_stats.h"

static const char *const drop_names[SL_DROP_MAX] = {
	[SL_DROP_NONE] = "none",
#define SL_X_NAME(e, n, d) [SL_DROP_##e] = n,
	SL_DROP_REASONS(SL_X_NAME)
#undef SL_X_NAME
};

static const char *const drop_descs[SL_DROP_MAX] = {
	[SL_DROP_NONE] = "not dropped",
#define SL_X_DESC(e, n, d) [SL_DROP_##e] = d,
	SL_DROP_REASONS(SL_X_DESC)
#undef SL_X_DESC
};

const char *
sl_drop_name(enum sl_drop d)
{
	return (unsigned)d < SL_DROP_MAX ? drop_names[d] : "unknown";
}

const char *
sl_drop_desc(enum sl_drop d)
{
	return (unsigned)d < SL_DROP_MAX ? drop_descs[d] : "unknown";
}

/* The tables and adders below assume every counter is a 64-bit field. */
#define SL_X_SIZE(st, f, type) \
	_Static_assert(sizeof(((struct st *)0)->f) == sizeof(uint64_t), #f " is 64 bits");
#define SL_X_WSIZE(f, type, kind, text, name, desc) SL_X_SIZE(sl_worker_stats, f, type)
#define SL_X_OSIZE(f, type, kind, text, name, desc) SL_X_SIZE(sl_obj_stats, f, type)
SL_WORKER_COUNTERS(SL_X_WSIZE)
SL_OBJ_COUNTERS(SL_X_OSIZE)
#undef SL_X_WSIZE
#undef SL_X_OSIZE
#undef SL_X_SIZE

#define SL_IS_GAUGE_COUNTER 0
#define SL_IS_GAUGE_GAUGE   1
#define SL_X_ENTRY(st, f, type, kind, text_, name_, desc_) { \
	.name = name_, .text = text_, .desc = desc_, \
	.off = offsetof(struct st, f), .is_signed = (type)-1 < (type)1, \
	.gauge = SL_IS_GAUGE_##kind },
#define SL_X_WENTRY(f, type, kind, text, name, desc) \
	SL_X_ENTRY(sl_worker_stats, f, type, kind, text, name, desc)
#define SL_X_OENTRY(f, type, kind, text, name, desc) \
	SL_X_ENTRY(sl_obj_stats, f, type, kind, text, name, desc)

const struct sl_counter sl_worker_counters[] = {
	SL_WORKER_COUNTERS(SL_X_WENTRY)
};
const unsigned sl_n_worker_counters = RTE_DIM(sl_worker_counters);

const struct sl_counter sl_obj_counters[] = {
	SL_OBJ_COUNTERS(SL_X_OENTRY)
};
const unsigned sl_n_obj_counters = RTE_DIM(sl_obj_counters);

#undef SL_X_WENTRY
#undef SL_X_OENTRY
#undef SL_X_ENTRY

#define SL_X_ADD(f, type, kind, text, name, desc) dst->f += src->f;

void
sl_obj_stats_add(struct sl_obj_stats *dst, const struct sl_obj_stats *src)
{
	SL_OBJ_COUNTERS(SL_X_ADD)
}

void
sl_worker_stats_add(struct sl_worker_stats *dst, const struct sl_worker_stats *src)
{
	unsigned i;

	SL_WORKER_COUNTERS(SL_X_ADD)
	for (i = 0; i < SL_DROP_MAX; i++)
		dst->drops[i] += src->drops[i];
}

#undef SL_X_ADD

void
sl_stats_foreach(const struct sl_counter *tab, unsigned n, const void *blk,
		 sl_stats_visit_t *fn, void *arg)
{
	unsigned i;

	for (i = 0; i < n; i++)
		fn(&tab[i], sl_counter_get(&tab[i], blk), arg);
}

/* snprintf into what is left of @p buf, counting what would not fit. */
static void
put(char *buf, size_t len, size_t *at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
put(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*at < len ? buf + *at : NULL, *at < len ? len - *at : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*at += (size_t)n;
}

int
sl_stats_render(const struct sl_counter *tab, unsigned n, const void *blk,
		enum sl_stats_fmt fmt, char *buf, size_t len)
{
	size_t at = 0;
	unsigned i;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; i < n; i++) {
		const struct sl_counter *c = &tab[i];
		uint64_t v = sl_counter_get(c, blk);
		const char *sep = i == 0 ? "" : fmt == SL_STATS_JSON ? "," : " ";

		if (fmt == SL_STATS_JSON)
			put(buf, len, &at, "%s\"%s\":", sep, c->name);
		else
			put(buf, len, &at, "%s%s ", sep, c->text);
		if (c->is_signed)
			put(buf, len, &at, "%" PRId64, (int64_t)v);
		else
			put(buf, len, &at, "%" PRIu64, v);
	}
	return (int)at;
}

int
sl_worker_stats_render(const struct sl_worker_stats *s, enum sl_stats_fmt fmt,
		       char *buf, size_t len)
{
	return sl_stats_render(sl_worker_counters, sl_n_worker_counters, s, fmt, buf, len);
}

int
sl_obj_stats_render(const struct sl_obj_stats *s, enum sl_stats_fmt fmt,
		    char *buf, size_t len)
{
	return sl_stats_render(sl_obj_counters, sl_n_obj_counters, s, fmt, buf, len);
}

int
sl_drops_render(const uint64_t drops[SL_DROP_MAX], enum sl_stats_fmt fmt,
		const char *prefix, char *buf, size_t len)
{
	size_t at = 0;
	unsigned d;

	if (len > 0)
		buf[0] = '\0';
	if (fmt == SL_STATS_JSON)
		put(buf, len, &at, "{");
	for (d = 1; d < SL_DROP_MAX; d++) {
		if (fmt == SL_STATS_JSON)
			put(buf, len, &at, "%s\"%s\":%" PRIu64, d > 1 ? "," : "",
			    drop_names[d], drops[d]);
		else if (drops[d] != 0)
			put(buf, len, &at, "%sdrop %s %" PRIu64 "\n", prefix ? prefix : "",
			    drop_names[d], drops[d]);
	}
	if (fmt == SL_STATS_JSON)
		put(buf, len, &at, "}");
	return (int)at;
}
