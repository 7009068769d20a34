/* Names of errno values for traces (asm-generic/errno-base.h and errno.h). */
static const char *const g_errno_names[] = {
    [1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO",
    [6] = "ENXIO", [7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD",
    [11] = "EAGAIN", [12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK",
    [16] = "EBUSY", [17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR",
    [21] = "EISDIR", [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY",
    [26] = "ETXTBSY", [27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS",
    [31] = "EMLINK", [32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK",
    [36] = "ENAMETOOLONG", [37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY",
    [40] = "ELOOP", [42] = "ENOMSG", [61] = "ENODATA", [62] = "ETIME",
    [75] = "EOVERFLOW", [84] = "EILSEQ", [88] = "ENOTSOCK", [95] = "EOPNOTSUPP",
    [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
    [104] = "ECONNRESET", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
    [115] = "EINPROGRESS", [116] = "ESTALE", [125] = "ECANCELED",
    [512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR", [514] = "ERESTARTNOHAND",
    [516] = "ERESTART_RESTARTBLOCK",
};
