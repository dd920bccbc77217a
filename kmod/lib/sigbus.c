// SPDX-License-Identifier: BSD-2-Clause
/*
 * SIGBUS: a ring file truncated under its mapping faults on the next
 * access to the lost pages. A reader arms a jump back into
 * pktring_reader_next()/_ctl() around its accesses and reports the
 * truncation as an error; anywhere else (a writer) the process says what
 * happened and exits 1.
 */
#include "libpktring.h"
#include "sigbus.h"

#include <unistd.h>

__thread sigjmp_buf *pktring_sigbus_jump;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	static const char msg[] =
		"pktring: SIGBUS: a ring file was truncated under its mapping; stopping\n";
	(void)sig;
	(void)si;
	(void)uc;

	if (pktring_sigbus_jump)
		siglongjmp(*pktring_sigbus_jump, 1);
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

void pktring_catch_sigbus(void)
{
	struct sigaction sa = { .sa_sigaction = on_sigbus,
				.sa_flags = SA_SIGINFO | SA_NODEFER };
	static int installed;

	if (installed++)
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}
