/* SPDX-License-Identifier: BSD-2-Clause */
/* PKTRING_WAIT_FUTEX: a shared (not private) futex on ctl->wake_seq. */
#ifndef PKTRING_FUTEX_H
#define PKTRING_FUTEX_H

#include <limits.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline void pktring_futex_wake(uint32_t *word)
{
	__atomic_fetch_add(word, 1, __ATOMIC_RELEASE);
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

/* Sleeps while *word == seen, at most timeout_ms. */
static inline void pktring_futex_wait(const uint32_t *word, uint32_t seen,
				      int timeout_ms)
{
	struct timespec ts = {
		.tv_sec = timeout_ms / 1000,
		.tv_nsec = (long)(timeout_ms % 1000) * 1000000,
	};

	syscall(SYS_futex, word, FUTEX_WAIT, seen, &ts, NULL, 0);
}

#endif
