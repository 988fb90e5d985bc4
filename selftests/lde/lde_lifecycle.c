// SPDX-License-Identifier: GPL-2.0
/*
 * A program with the life of Figure 6.2, for the lde-trace tests: started
 * with any arguments (the test reads them back from the new user stack),
 * it creates a child that makes one system call and exits, waits for it
 * (the child leaves the process list), and exits 0.  Linked statically:
 * its system calls are its own, not the dynamic loader's.
 */
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	pid_t child = fork();
	int status;

	if (child < 0)
		return 1;
	if (child == 0) {
		syscall(SYS_getppid);
		_exit(7);
	}
	if (waitpid(child, &status, 0) != child)
		return 1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 7 ? 0 : 1;
}
