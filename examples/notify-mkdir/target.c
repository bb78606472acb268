/*
 * target.c: puts itself under the filter of notify-mkdir.policy, hands the listener fd to the
 * supervisor, then creates directories (or runs a program) with every mkdir and mkdirat
 * decided by the supervisor.
 *
 *   target SOCKET PATH...              mkdir(PATH, 0755) for each PATH; "at:PATH" uses
 *                                      mkdirat(AT_FDCWD, PATH, 0755); "none:PATH" passes a
 *                                      copy of PATH in a page it cannot read (PROT_NONE), as a
 *                                      test of the supervisor (the kernel answers EFAULT)
 *   target SOCKET --exec PROGRAM [ARG...]   run PROGRAM under the filter
 *
 * Prints "mkdir PATH: OK" or "mkdir PATH: EPERM" and so on for each PATH. Exit status: 0
 * when every PATH was created, 1 when some were not, 2 when the set-up failed.
 *
 * Built on notify_mkdir_filter.h, written by `seccompile compile notify-mkdir.policy`.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "notify_mkdir_filter.h"

static volatile sig_atomic_t signals_seen;

static void on_usr1(int sig)
{
	(void)sig;
	signals_seen++;
}

static const char *errno_name(int e)
{
	switch (e) {
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EEXIST: return "EEXIST";
	case EFAULT: return "EFAULT";
	case ENOTDIR: return "ENOTDIR";
	case EINTR: return "EINTR";
	case ENOSYS: return "ENOSYS";
	case ENAMETOOLONG: return "ENAMETOOLONG";
	default: return strerror(e);
	}
}

/* Connects to the supervisor's socket. */
static int connect_to(const char *path)
{
	struct sockaddr_un addr;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&addr, 0, sizeof(addr));
	addr.sun_family = AF_UNIX;
	if (fd < 0 || strlen(path) >= sizeof(addr.sun_path)) {
		fprintf(stderr, "target: bad socket path\n");
		return -1;
	}
	strcpy(addr.sun_path, path);
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		perror("target: connecting to the supervisor");
		close(fd);
		return -1;
	}
	return fd;
}

/* Sends the listener fd over the socket (SCM_RIGHTS) and waits for the acknowledgement. */
static int hand_over(int sock, int listener)
{
	char control[CMSG_SPACE(sizeof(int))];
	char byte = 'L';
	struct iovec iov = { &byte, 1 };
	struct msghdr msg;
	struct cmsghdr *cmsg;

	memset(&msg, 0, sizeof(msg));
	memset(control, 0, sizeof(control));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = control;
	msg.msg_controllen = sizeof(control);
	cmsg = CMSG_FIRSTHDR(&msg);
	cmsg->cmsg_level = SOL_SOCKET;
	cmsg->cmsg_type = SCM_RIGHTS;
	cmsg->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cmsg), &listener, sizeof(int));
	if (sendmsg(sock, &msg, MSG_NOSIGNAL) != 1) {
		perror("target: sending the listener");
		return -1;
	}
	if (read(sock, &byte, 1) != 1 || byte != 'k') {
		fprintf(stderr, "target: the supervisor did not accept the listener\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	int sock, listener, failures = 0;

	if (argc < 3 || (strcmp(argv[2], "--exec") == 0 && argc < 4)) {
		fprintf(stderr, "usage: %s SOCKET PATH...\n       %s SOCKET --exec PROGRAM [ARG...]\n", argv[0], argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sock = connect_to(argv[1]);
	if (sock < 0)
		return 2;

	/* 1. The filter: sets no_new_privs, installs, returns the listener fd (or -errno). */
	listener = notify_mkdir_filter_install();
	if (listener < 0) {
		fprintf(stderr, "target: installing the filter: %s\n", strerror(-listener));
		return 2;
	}
	/* 2. Hand the listener to the supervisor and close our copy: a target that kept it could
	 *    answer its own notifications. (It is close-on-exec as well.) */
	if (hand_over(sock, listener) != 0)
		return 2;
	close(listener);
	close(sock);

	if (strcmp(argv[2], "--exec") == 0) {
		execvp(argv[3], argv + 3);
		fprintf(stderr, "target: %s: %s\n", argv[3], strerror(errno));
		return 127;
	}

	/* A handler for SIGUSR1, to show an interrupted call being restarted (SA_RESTART). */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGUSR1, &sa, NULL);
	printf("target %d: ready\n", (int)getpid());

	/* 3. Every mkdir from here on waits for the supervisor's answer. */
	for (int i = 2; i < argc; i++) {
		int at = strncmp(argv[i], "at:", 3) == 0, none = strncmp(argv[i], "none:", 5) == 0;
		const char *path = at ? argv[i] + 3 : none ? argv[i] + 5 : argv[i];
		char *page = NULL;
		int r;

		if (none) {
			page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			if (page == MAP_FAILED)
				return 2;
			snprintf(page, 4096, "%s", path);
			mprotect(page, 4096, PROT_NONE);
		}
		r = at ? mkdirat(AT_FDCWD, path, 0755) : mkdir(none ? page : path, 0755);
		if (page)
			munmap(page, 4096);

		printf("%s %s: %s\n", at ? "mkdirat" : "mkdir", path, r == 0 ? "OK" : errno_name(errno));
		failures += r != 0;
	}
	if (signals_seen)
		printf("target %d: %d signal(s) handled\n", (int)getpid(), (int)signals_seen);
	return failures ? 1 : 0;
}
