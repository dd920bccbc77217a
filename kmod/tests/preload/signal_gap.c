// SPDX-License-Identifier: BSD-2-Clause
/*
 * LD_PRELOAD shim for tool_edges.sh: SIGTERM arrives just before the
 * process goes to sleep for it -- the gap between checking a stop flag and
 * pause(). A tool that checks and then pauses sleeps forever; one that
 * blocks the signal, checks, then sigsuspend()s wakes at once.
 *
 *   cc -shared -fPIC -o signal_gap.so signal_gap.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <unistd.h>

int pause(void)
{
	int (*real)(void) = (int (*)(void))dlsym(RTLD_NEXT, "pause");

	raise(SIGTERM);
	return real();
}

int sigsuspend(const sigset_t *mask)
{
	int (*real)(const sigset_t *) =
		(int (*)(const sigset_t *))dlsym(RTLD_NEXT, "sigsuspend");

	raise(SIGTERM);
	return real(mask);
}
