/**
 * Fork safety: the fork generation of this process ({@link io.warmpool.fork.ForkGeneration}), which
 * the C atfork handlers bump in every child, and file descriptors that know the process that opened
 * them ({@link io.warmpool.fork.PidCheckedFd}), reopened in a forked child before anyone uses them.
 */
package io.warmpool.fork;
