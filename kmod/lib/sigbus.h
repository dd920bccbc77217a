/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reader's guard against a ring file truncated under its mapping:
 *
 *	sigjmp_buf jb;
 *	if (sigsetjmp(jb, 1)) { ...the mapping is gone...; }
 *	PKTRING_SIGBUS_ARM(&jb);
 *	... touch the mapping ...
 *	PKTRING_SIGBUS_DISARM();
 */
#ifndef PKTRING_SIGBUS_H
#define PKTRING_SIGBUS_H

#include <setjmp.h>

extern __thread sigjmp_buf *pktring_sigbus_jump;

#define PKTRING_SIGBUS_ARM(jb)	(pktring_sigbus_jump = (jb))
#define PKTRING_SIGBUS_DISARM()	(pktring_sigbus_jump = NULL)

#endif
