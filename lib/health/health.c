/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <string.h>

#include "sl_health.h"

void
sl_health_init(struct sl_health_state *st)
{
	st->up = 1;
	st->ok_run = 0;
	st->fail_run = 0;
}

int
sl_health_record(struct sl_health_state *st, int ok, uint32_t rise, uint32_t fall)
{
	if (ok) {
		st->fail_run = 0;
		if (st->ok_run < UINT32_MAX)
			st->ok_run++;
		if (!st->up && st->ok_run >= rise) {
			st->up = 1;
			return 1;
		}
	} else {
		st->ok_run = 0;
		if (st->fail_run < UINT32_MAX)
			st->fail_run++;
		if (st->up && st->fail_run >= fall) {
			st->up = 0;
			return 1;
		}
	}
	return 0;
}

int
sl_health_http_status(const char *buf, size_t len)
{
	const char *eol = memchr(buf, '\n', len);
	int code;

	if (eol == NULL)
		return len > 256 ? -1 : 0;
	/* "HTTP/1.x NNN" */
	if (eol - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 ||
	    buf[8] != ' ' || buf[9] < '1' || buf[9] > '5' ||
	    buf[10] < '0' || buf[10] > '9' || buf[11] < '0' || buf[11] > '9')
		return -1;
	if (eol - buf > 12 && buf[12] != ' ' && buf[12] != '\r')
		return -1;
	code = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	return code;
}

int
sl_health_expect(const char *expect, int status)
{
	const char *p = expect;
	char s[4];

	if (status < 100 || status > 599)
		return 0;
	s[0] = (char)('0' + status / 100);
	s[1] = (char)('0' + status / 10 % 10);
	s[2] = (char)('0' + status % 10);
	while (p[0] != '\0' && p[1] != '\0' && p[2] != '\0') {
		if (p[0] == s[0] && (p[1] == 'x' || p[1] == s[1]) &&
		    (p[2] == 'x' || p[2] == s[2]))
			return 1;
		p += 3;
		if (*p == ',')
			p++;
	}
	return 0;
}

void
sl_health_fifo_init(struct sl_health_fifo *q)
{
	q->head = 0;
	q->n = 0;
	memset(q->queued, 0, sizeof(q->queued));
}

int
sl_health_fifo_push(struct sl_health_fifo *q, unsigned id)
{
	if (id >= SL_HEALTH_MAX)
		return -EINVAL;
	if (q->queued[id])
		return 0;
	/* each id at most once: the ring cannot overflow */
	q->id[(q->head + q->n) % SL_HEALTH_MAX] = (uint16_t)id;
	q->n++;
	q->queued[id] = 1;
	return 1;
}

int
sl_health_fifo_push_front(struct sl_health_fifo *q, unsigned id)
{
	if (id >= SL_HEALTH_MAX)
		return -EINVAL;
	if (q->queued[id])
		return 0;
	q->head = (q->head + SL_HEALTH_MAX - 1) % SL_HEALTH_MAX;
	q->id[q->head] = (uint16_t)id;
	q->n++;
	q->queued[id] = 1;
	return 1;
}

int
sl_health_fifo_pop(struct sl_health_fifo *q)
{
	unsigned id;

	if (q->n == 0)
		return -ENOENT;
	id = q->id[q->head];
	q->head = (q->head + 1) % SL_HEALTH_MAX;
	q->n--;
	q->queued[id] = 0;
	return (int)id;
}

uint64_t
sl_health_fd_want(unsigned in_use, unsigned max_checks)
{
	return (uint64_t)in_use + 2 * (uint64_t)max_checks;
}

unsigned
sl_health_fd_budget(uint64_t limit, unsigned in_use, unsigned max_checks)
{
	uint64_t half;

	if (max_checks == 0)
		return 0;
	half = limit > in_use ? (limit - in_use) / 2 : 0;
	if (half < 1)
		return 1;
	return half < max_checks ? (unsigned)half : max_checks;
}

int
sl_health_fd_shortage(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}
