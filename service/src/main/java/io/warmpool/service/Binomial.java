package io.warmpool.service;

/**
 * The upper tail of a binomial distribution, {@code P(X >= k)} for {@code X ~ Binomial(n, p)}:
 *
 * <pre>
 *  mean m = n p, spread s = sqrt(n p (1 - p)); outside m +- (12 s + 12) the tail is 0 or 1 to
 *  well below a double's rounding, so only the terms inside are summed:
 *    P(X = i) = exp(ln n! - ln i! - ln (n-i)! + i ln p + (n-i) ln(1-p))   for the first, i = k
 *    P(X = i+1) = P(X = i) * (n-i)/(i+1) * p/(1-p)                        for the rest
 *  ln n!: summed exactly below 256, Stirling's series (to 1/n^3) above
 * </pre>
 */
final class Binomial {
    private static final double[] LOG_FACTORIAL = new double[256];

    static {
        for (int i = 1; i < LOG_FACTORIAL.length; i++) {
            LOG_FACTORIAL[i] = LOG_FACTORIAL[i - 1] + Math.log(i);
        }
    }

    private Binomial() {
    }

    /** {@code P(X >= k)}: 1 for {@code k <= 0}, 0 for {@code k > n}. */
    static double atLeast(long n, double p, long k) {
        if (k <= 0) {
            return 1;
        }
        if (k > n || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return 1;
        }
        double mean = n * p;
        double reach = 12 * Math.sqrt(n * p * (1 - p)) + 12;
        if (k < mean - reach) {
            return 1;
        }
        if (k > mean + reach) {
            return 0;
        }
        long last = Math.min(n, (long) Math.ceil(mean + reach));
        double term = Math.exp(logFactorial(n) - logFactorial(k) - logFactorial(n - k) + k * Math.log(p)
                + (n - k) * Math.log1p(-p));
        double odds = p / (1 - p);
        double sum = 0;
        for (long i = k; i <= last; i++) {
            sum += term;
            term *= (double) (n - i) / (i + 1) * odds;
        }
        return Math.min(1, sum);
    }

    static double logFactorial(long n) {
        if (n < LOG_FACTORIAL.length) {
            return LOG_FACTORIAL[(int) n];
        }
        double x = n;
        return x * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI * x) + 1 / (12 * x) - 1 / (360 * x * x * x);
    }
}
