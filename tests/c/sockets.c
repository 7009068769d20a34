// Sockets as a C program uses them: a socketpair passing a descriptor (SCM_RIGHTS), TCP
// over loopback with nonblocking sockets (connect, accept4 flags, poll, select,
// pselect6, epoll), address consistency (printed as booleans, never ports), shutdown
// semantics, UDP with sendmmsg/recvmmsg, socket options, and the errno of the usual
// mistakes.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include "lib/outcome.h"
#include "lib/poll_names.h"

// volatile: the compiler must not see the bad pointer (no warning, no folding).
static void *volatile bad_ptr = (void *)8;
#define BAD bad_ptr

static const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "?";
}



static void die(const char *what)
{
	printf("FAIL: %s: %s\n", what, ename(errno));
	exit(1);
}

static int flag_set(int fd, int cmd, int flag)
{
	int v = fcntl(fd, cmd);
	return v != -1 && (v & flag) != 0;
}

static const char *yes(int b) { return b ? "yes" : "no"; }

static int same_addr(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_family == b->sin_family && a->sin_port == b->sin_port &&
	       a->sin_addr.s_addr == b->sin_addr.s_addr;
}

// poll one fd for events, up to 5 s; print the result and revents.
static void poll_one(const char *what, int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	char names[64];
	errno = 0;
	int r = poll(&p, 1, timeout_ms);
	poll_names(p.revents, names);
	if (r == -1)
		printf("%s: poll -1 %s\n", what, ename(errno));
	else
		printf("%s: poll %d revents %s\n", what, r, names);
}

// ---------------------------------------------------------------------------- unix

static void unix_pair(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		die("socketpair");
	printf("socketpair: cloexec %s %s, nonblock %s\n", yes(flag_set(sv[0], F_GETFD, FD_CLOEXEC)),
	       yes(flag_set(sv[1], F_GETFD, FD_CLOEXEC)), yes(flag_set(sv[0], F_GETFL, O_NONBLOCK)));
	T("socketpair write", write(sv[0], "ping", 4));
	char buf[64] = { 0 };
	T("socketpair read", read(sv[1], buf, sizeof(buf)));
	printf("socketpair data: %s\n", buf);

	// Pass the read end of a pipe, with data already in it, and close it here.
	int pfd[2];
	if (pipe(pfd) == -1)
		die("pipe");
	if (write(pfd[1], "through a passed fd", 19) != 19)
		die("pipe write");
	close(pfd[1]);
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = { .iov_base = "F", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl.buf,
			    .msg_controllen = sizeof(ctl.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &pfd[0], sizeof(int));
	T("sendmsg SCM_RIGHTS", sendmsg(sv[0], &m, 0));
	close(pfd[0]);

	union {
		char buf[CMSG_SPACE(sizeof(int)) + 64];
		struct cmsghdr align;
	} rctl;
	memset(&rctl, 0xa5, sizeof(rctl));
	char one = 0;
	struct iovec riov = { .iov_base = &one, .iov_len = 1 };
	struct msghdr rm = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = rctl.buf,
			     .msg_controllen = sizeof(rctl.buf) };
	T("recvmsg SCM_RIGHTS", recvmsg(sv[1], &rm, MSG_CMSG_CLOEXEC));
	struct cmsghdr *rc = CMSG_FIRSTHDR(&rm);
	printf("recvmsg: byte %c, controllen %zu, flags 0x%x\n", one, (size_t)rm.msg_controllen, rm.msg_flags);
	if (rc && rc->cmsg_level == SOL_SOCKET && rc->cmsg_type == SCM_RIGHTS &&
	    rc->cmsg_len == CMSG_LEN(sizeof(int))) {
		int fd;
		memcpy(&fd, CMSG_DATA(rc), sizeof(int));
		printf("received fd: valid %s, cloexec %s, next cmsg %s\n", yes(fcntl(fd, F_GETFD) != -1),
		       yes(flag_set(fd, F_GETFD, FD_CLOEXEC)), CMSG_NXTHDR(&rm, rc) ? "present" : "none");
		memset(buf, 0, sizeof(buf));
		T("read received fd", read(fd, buf, sizeof(buf) - 1));
		printf("received fd data: %s\n", buf);
		T("read received fd at EOF", read(fd, buf, sizeof(buf)));
		close(fd);
	} else {
		printf("received no SCM_RIGHTS message\n");
	}

	// Datagram pair: boundaries kept; MSG_TRUNC on recv gives the real length.
	int dv[2];
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, dv) == -1)
		die("socketpair dgram");
	T("dgram send 10", send(dv[0], "0123456789", 10, 0));
	T("dgram send 3", send(dv[0], "abc", 3, 0));
	T("dgram recv 4 of 10 with MSG_TRUNC", recv(dv[1], buf, 4, MSG_TRUNC));
	T("dgram recv next", recv(dv[1], buf, sizeof(buf), 0));
	T("dgram recv empty MSG_DONTWAIT", recv(dv[1], buf, sizeof(buf), MSG_DONTWAIT));
	close(dv[0]);
	close(dv[1]);

	// Peer closed: read gives 0, write gives EPIPE (MSG_NOSIGNAL: no SIGPIPE).
	close(sv[0]);
	T("read after peer close", read(sv[1], buf, sizeof(buf)));
	T("send after peer close", send(sv[1], "x", 1, MSG_NOSIGNAL));
	close(sv[1]);
}

// ---------------------------------------------------------------------------- tcp

static int tcp_listener(struct sockaddr_in *addr)
{
	int l = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l == -1)
		die("socket");
	int one = 1;
	T("setsockopt SO_REUSEADDR", setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	T("bind 127.0.0.1:0", bind(l, (struct sockaddr *)&a, sizeof(a)));
	T("listen", listen(l, 8));
	socklen_t len = sizeof(*addr);
	T("getsockname listener", getsockname(l, (struct sockaddr *)addr, &len));
	printf("listener: len %u, family inet %s, port set %s, loopback %s\n", len,
	       yes(addr->sin_family == AF_INET), yes(addr->sin_port != 0),
	       yes(addr->sin_addr.s_addr == htonl(INADDR_LOOPBACK)));
	return l;
}

static void tcp(void)
{
	struct sockaddr_in laddr;
	int l = tcp_listener(&laddr);
	int v = 0;
	socklen_t vl = sizeof(v);
	T("getsockopt SO_ACCEPTCONN", getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	printf("SO_ACCEPTCONN %d, optlen %u\n", v, vl);
	T("getsockopt SO_TYPE", getsockopt(l, SOL_SOCKET, SO_TYPE, &v, &vl));
	printf("SO_TYPE stream %s\n", yes(v == SOCK_STREAM));

	struct sockaddr_in peer;
	socklen_t pl = sizeof(peer);
	T("accept4 with nothing pending", accept4(l, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC));
	poll_one("listener idle", l, POLLIN, 0);

	int c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (c == -1)
		die("socket");
	errno = 0;
	int r = connect(c, (struct sockaddr *)&laddr, sizeof(laddr));
	// On loopback the handshake may be complete by the time connect returns.
	printf("nonblocking connect: started %s\n", yes(r == 0 || errno == EINPROGRESS));
	poll_one("client connected", c, POLLOUT, 5000);
	int soerr = -1;
	socklen_t sl = sizeof(soerr);
	T("getsockopt SO_ERROR", getsockopt(c, SOL_SOCKET, SO_ERROR, &soerr, &sl));
	printf("SO_ERROR %d\n", soerr);
	poll_one("listener pending", l, POLLIN, 5000);

	pl = sizeof(peer);
	int s = accept4(l, (struct sockaddr *)&peer, &pl, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (s == -1)
		die("accept4");
	printf("accept4: addrlen %u, cloexec %s, nonblock %s\n", pl, yes(flag_set(s, F_GETFD, FD_CLOEXEC)),
	       yes(flag_set(s, F_GETFL, O_NONBLOCK)));

	struct sockaddr_in cs, cp, ss, sp;
	socklen_t n1 = sizeof(cs), n2 = sizeof(cp), n3 = sizeof(ss), n4 = sizeof(sp);
	T("getsockname client", getsockname(c, (struct sockaddr *)&cs, &n1));
	T("getpeername client", getpeername(c, (struct sockaddr *)&cp, &n2));
	T("getsockname accepted", getsockname(s, (struct sockaddr *)&ss, &n3));
	T("getpeername accepted", getpeername(s, (struct sockaddr *)&sp, &n4));
	printf("client peer == listener %s, accepted local == listener %s\n", yes(same_addr(&cp, &laddr)),
	       yes(same_addr(&ss, &laddr)));
	printf("accepted peer == client local %s, accept addr == client local %s, client port differs %s\n",
	       yes(same_addr(&sp, &cs)), yes(same_addr(&peer, &cs)), yes(cs.sin_port != laddr.sin_port));
	// A short buffer: the address is cut, the length says how long it is.
	struct sockaddr_in tiny;
	memset(&tiny, 0xee, sizeof(tiny));
	socklen_t tl = 4;
	T("getsockname 4-byte buffer", getsockname(c, (struct sockaddr *)&tiny, &tl));
	printf("getsockname 4-byte buffer: len %u, family inet %s, port copied %s, rest untouched %s\n", tl,
	       yes(tiny.sin_family == AF_INET), yes(tiny.sin_port == cs.sin_port), yes(tiny.sin_addr.s_addr == 0xeeeeeeee));

	int one = 1;
	T("setsockopt TCP_NODELAY", setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	v = 0;
	vl = sizeof(v);
	T("getsockopt TCP_NODELAY", getsockopt(c, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
	printf("TCP_NODELAY %d\n", v);

	// Nothing sent yet: the nonblocking read fails, poll/select with no timeout say 0.
	char buf[256];
	T("read nothing (nonblocking)", read(s, buf, sizeof(buf)));
	poll_one("accepted idle", s, POLLIN, 0);
	fd_set rf;
	struct timeval tv = { 0, 0 };
	FD_ZERO(&rf);
	FD_SET(s, &rf);
	T("select idle", select(s + 1, &rf, NULL, NULL, &tv));

	T("send ping", send(c, "ping", 4, 0));
	poll_one("accepted readable", s, POLLIN | POLLOUT, 5000);
	FD_ZERO(&rf);
	FD_SET(s, &rf);
	fd_set wf;
	FD_ZERO(&wf);
	FD_SET(c, &wf);
	tv = (struct timeval){ 5, 0 };
	T("select readable/writable", select((s > c ? s : c) + 1, &rf, &wf, NULL, &tv));
	printf("select: accepted readable %s, client writable %s\n", yes(FD_ISSET(s, &rf)), yes(FD_ISSET(c, &wf)));
	FD_ZERO(&rf);
	FD_SET(s, &rf);
	struct timespec ts = { 5, 0 };
	sigset_t mask;
	sigemptyset(&mask);
	T("pselect readable", pselect(s + 1, &rf, NULL, NULL, &ts, &mask));

	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.u64 = 0x1234 };
	T("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev));
	struct epoll_event out[4];
	memset(out, 0, sizeof(out));
	T("epoll_wait", epoll_wait(ep, out, 4, 5000));
	printf("epoll: data 0x%llx, events IN %s RDHUP %s\n", (unsigned long long)out[0].data.u64,
	       yes(out[0].events & EPOLLIN), yes(out[0].events & EPOLLRDHUP));

	memset(buf, 0, sizeof(buf));
	T("recv ping (MSG_PEEK)", recv(s, buf, sizeof(buf), MSG_PEEK));
	T("recvfrom ping", recvfrom(s, buf, sizeof(buf), 0, NULL, NULL));
	printf("received: %s\n", buf);

	// Shutdown: after the client's SHUT_WR the server reads what was sent, then 0;
	// the other direction still works; the client cannot send any more.
	T("send before shutdown", send(c, "last words", 10, 0));
	T("shutdown client SHUT_WR", shutdown(c, SHUT_WR));
	size_t got = 0;
	memset(buf, 0, sizeof(buf));
	while (got < 10) {
		struct pollfd p = { .fd = s, .events = POLLIN };
		poll(&p, 1, 5000);
		ssize_t k = read(s, buf + got, sizeof(buf) - 1 - got);
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	printf("server read %zu: %s\n", got, buf);
	poll_one("accepted after peer SHUT_WR", s, POLLIN | POLLRDHUP, 5000);
	memset(out, 0, sizeof(out));
	T("epoll_wait after peer SHUT_WR", epoll_wait(ep, out, 4, 5000));
	printf("epoll: events IN %s RDHUP %s\n", yes(out[0].events & EPOLLIN), yes(out[0].events & EPOLLRDHUP));
	T("read after peer SHUT_WR", read(s, buf, sizeof(buf)));
	T("read again", read(s, buf, sizeof(buf)));
	T("send after own SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
	T("server send reply", send(s, "reply", 5, 0));
	poll_one("client readable", c, POLLIN, 5000);
	memset(buf, 0, sizeof(buf));
	T("client read reply", read(c, buf, sizeof(buf)));
	printf("client got: %s\n", buf);
	T("shutdown server SHUT_RDWR", shutdown(s, SHUT_RDWR));
	poll_one("client after server shutdown", c, POLLIN | POLLRDHUP, 5000);
	T("client read after server SHUT_RDWR", read(c, buf, sizeof(buf)));
	T("shutdown bad how", shutdown(c, 7));
	close(ep);
	close(s);
	close(c);

	// Errors around the listener.
	T("accept4 bad flags", accept4(l, NULL, NULL, 0x4));
	int b = socket(AF_INET, SOCK_STREAM, 0);
	T("bind address in use", bind(b, (struct sockaddr *)&laddr, sizeof(laddr)));
	close(b);
	close(l);

	// A bound socket that does not listen refuses connections (keeping it bound
	// means the port cannot be taken by anyone else meanwhile).
	int closed = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in ca = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	bind(closed, (struct sockaddr *)&ca, sizeof(ca));
	socklen_t cl = sizeof(ca);
	getsockname(closed, (struct sockaddr *)&ca, &cl);
	int k = socket(AF_INET, SOCK_STREAM, 0);
	T("connect to closed port", connect(k, (struct sockaddr *)&ca, sizeof(ca)));
	T("accept on non-listening socket", accept(closed, NULL, NULL));
	T("accept4 on non-listening socket", accept4(k, NULL, NULL, SOCK_CLOEXEC));
	T("getpeername unconnected", getpeername(closed, (struct sockaddr *)&ca, &cl));
	T("shutdown unconnected", shutdown(closed, SHUT_RD));
	T("send unconnected", send(closed, "x", 1, MSG_NOSIGNAL));
	close(k);
	close(closed);
}

// ---------------------------------------------------------------------------- udp

static void udp(void)
{
	int u = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int w = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	T("udp bind", bind(u, (struct sockaddr *)&a, sizeof(a)));
	T("udp bind sender", bind(w, (struct sockaddr *)&a, sizeof(a)));
	socklen_t al = sizeof(a);
	getsockname(u, (struct sockaddr *)&a, &al);
	T("udp sendto", sendto(w, "datagram", 8, 0, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in from, wname;
	socklen_t fl = sizeof(from), wl = sizeof(wname);
	char buf[64] = { 0 };
	T("udp recvfrom", recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl));
	getsockname(w, (struct sockaddr *)&wname, &wl);
	printf("udp: %s, from sender %s, fromlen %u\n", buf, yes(same_addr(&from, &wname)), fl);

	// sendmmsg three datagrams, recvmmsg them back.
	struct mmsghdr mm[3];
	struct iovec iov[3];
	const char *msgs[3] = { "one", "two-two", "three-three-three" };
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 3; i++) {
		iov[i] = (struct iovec){ (void *)msgs[i], strlen(msgs[i]) };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &a, .msg_namelen = sizeof(a), .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	T("sendmmsg", sendmmsg(w, mm, 3, 0));
	printf("sendmmsg msg_len %u %u %u\n", mm[0].msg_len, mm[1].msg_len, mm[2].msg_len);
	char rb[3][32];
	struct sockaddr_in rfrom[3];
	memset(mm, 0, sizeof(mm));
	memset(rb, 0, sizeof(rb));
	for (int i = 0; i < 3; i++) {
		iov[i] = (struct iovec){ rb[i], sizeof(rb[i]) - 1 };
		mm[i].msg_hdr = (struct msghdr){ .msg_name = &rfrom[i], .msg_namelen = sizeof(rfrom[i]), .msg_iov = &iov[i], .msg_iovlen = 1 };
	}
	struct timespec to = { 5, 0 };
	T("recvmmsg", recvmmsg(u, mm, 3, MSG_WAITFORONE, &to));
	for (int i = 0; i < 3; i++)
		printf("recvmmsg[%d]: len %u %s, from sender %s\n", i, mm[i].msg_len, rb[i], yes(same_addr(&rfrom[i], &wname)));
	T("recvmmsg empty MSG_DONTWAIT", recvmmsg(u, mm, 3, MSG_DONTWAIT, NULL));

	// Connected UDP: send/recv without addresses; connect to a port with nobody
	// behind it makes a later recv report ECONNREFUSED (ICMP).
	T("udp connect", connect(w, (struct sockaddr *)&a, sizeof(a)));
	T("udp send connected", send(w, "hi", 2, 0));
	T("udp recv", recv(u, buf, sizeof(buf), 0));
	T("udp sendto bad buffer", sendto(u, BAD, 10, 0, (struct sockaddr *)&a, sizeof(a)));
	T("udp sendto bad address", sendto(u, "x", 1, 0, BAD, sizeof(a)));
	T("udp sendto short address", sendto(u, "x", 1, 0, (struct sockaddr *)&a, 4));
	T("udp recvfrom bad buffer", (send(w, "hi", 2, 0), recvfrom(u, BAD, 10, 0, NULL, NULL)));
	T("listen on udp", listen(u, 1));
	close(u);
	close(w);
}

// ---------------------------------------------------------------------------- errno

static void errors(void)
{
	T("socket bad domain", socket(12345, SOCK_STREAM, 0));
	T("socket bad type", socket(AF_INET, 999, 0));
	T("socket stream+udp protocol", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	T("socket bad flags", socket(AF_INET, SOCK_STREAM | 0x40000000, 0));
	T("socketpair inet", socketpair(AF_INET, SOCK_STREAM, 0, (int[2]){ 0 }));
	T("socketpair bad sv", socketpair(AF_UNIX, SOCK_STREAM, 0, BAD));

	int s = socket(AF_INET, SOCK_STREAM, 0);
	int v;
	socklen_t vl = sizeof(v);
	T("getsockopt bad optlen pointer", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BAD));
	T("getsockopt bad optval", getsockopt(s, SOL_SOCKET, SO_TYPE, BAD, &vl));
	vl = (socklen_t)-1;
	T("getsockopt negative optlen", getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
	T("getsockopt bad level", getsockopt(s, 9999, SO_TYPE, &v, &(socklen_t){ sizeof(int) }));
	T("getsockopt bad option", getsockopt(s, SOL_SOCKET, 9999, &v, &(socklen_t){ sizeof(int) }));
	T("setsockopt bad optval", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, BAD, sizeof(int)));
	T("setsockopt short optlen", setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, 1));
	T("getsockname bad addr", getsockname(s, BAD, &(socklen_t){ 16 }));
	T("getsockname bad addrlen", getsockname(s, (struct sockaddr *)&(struct sockaddr_in){ 0 }, BAD));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	T("bind short addrlen", bind(s, (struct sockaddr *)&a, 4));
	T("bind bad addr", bind(s, BAD, sizeof(a)));
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	T("bind wrong family", bind(s, (struct sockaddr *)&a6, sizeof(a6)));
	T("connect bad addr", connect(s, BAD, sizeof(a)));
	T("sendmsg bad msghdr", sendmsg(s, BAD, 0));
	T("recvmsg bad msghdr", recvmsg(s, BAD, 0));
	close(s);

	int pfd[2];
	if (pipe(pfd) == -1)
		die("pipe");
	char buf[8];
	T("recvfrom non-socket", recvfrom(pfd[0], buf, sizeof(buf), 0, NULL, NULL));
	T("sendto non-socket", sendto(pfd[1], "x", 1, 0, NULL, 0));
	T("connect non-socket", connect(pfd[0], (struct sockaddr *)&a, sizeof(a)));
	T("getsockopt non-socket", getsockopt(pfd[0], SOL_SOCKET, SO_TYPE, &v, &(socklen_t){ sizeof(int) }));
	T("shutdown non-socket", shutdown(pfd[0], SHUT_RD));
	T("accept non-socket", accept(pfd[0], NULL, NULL));
	close(pfd[0]);
	close(pfd[1]);
	T("recvfrom closed fd", recvfrom(pfd[0], buf, sizeof(buf), 0, NULL, NULL));
	T("bind bad fd", bind(-1, (struct sockaddr *)&a, sizeof(a)));
	T("poll bad fds pointer", poll(BAD, 1, 0));
	struct pollfd nv = { .fd = pfd[0], .events = POLLIN };
	T("poll closed fd", poll(&nv, 1, 0));
	printf("poll closed fd: revents NVAL %s\n", yes(nv.revents & POLLNVAL));
	fd_set rf;
	FD_ZERO(&rf);
	FD_SET(pfd[0], &rf);
	// Raw select: glibc reads the timeout itself and rejects some before the kernel.
	T("select closed fd", syscall(SYS_select, pfd[0] + 1, &rf, NULL, NULL, &(struct timeval){ 0, 0 }));
	T("select negative nfds", syscall(SYS_select, -1, NULL, NULL, NULL, &(struct timeval){ 0, 0 }));
	T("select bad timeout", syscall(SYS_select, 1, NULL, NULL, NULL, BAD));
	T("select bad fdset", syscall(SYS_select, 1, BAD, NULL, NULL, &(struct timeval){ 0, 0 }));
	T("select invalid timeout", syscall(SYS_select, 0, NULL, NULL, NULL, &(struct timeval){ 0, -1 }));
	T("pselect6 bad sigmask", syscall(SYS_pselect6, 0, NULL, NULL, NULL, &(struct timespec){ 0, 0 }, BAD));
	T("epoll_wait bad events", epoll_wait(epoll_create1(0), BAD, 1, 0));
}

static void ipv6(void)
{
	int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s == -1)
		return; // no IPv6 here: skipped silently (the output must not depend on it)
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (bind(s, (struct sockaddr *)&a, sizeof(a)) == -1 && (errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT)) {
		close(s);
		return;
	}
	T("ipv6 listen", listen(s, 1));
	socklen_t al = sizeof(a);
	getsockname(s, (struct sockaddr *)&a, &al);
	int c = socket(AF_INET6, SOCK_STREAM, 0);
	T("ipv6 connect ::1", connect(c, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in6 p;
	socklen_t pl = sizeof(p);
	int x = accept(s, (struct sockaddr *)&p, &pl);
	printf("ipv6 accept: ok %s, addrlen %u, loopback %s\n", yes(x >= 0), pl, yes(IN6_IS_ADDR_LOOPBACK(&p.sin6_addr)));
	T("ipv6 send", send(c, "v6", 2, 0));
	char b[4] = { 0 };
	T("ipv6 recv", recv(x, b, 2, MSG_WAITALL));
	close(x);
	close(c);
	close(s);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	unix_pair();
	tcp();
	udp();
	errors();
	ipv6();
	return 0;
}
