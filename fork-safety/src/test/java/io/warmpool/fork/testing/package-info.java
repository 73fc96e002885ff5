/**
 * What other modules' tests use to fork the test JVM and run a body in the child: {@link
 * io.warmpool.fork.testing.ForkedChild}. Published in fork-safety's test jar, never in the product.
 */
package io.warmpool.fork.testing;
