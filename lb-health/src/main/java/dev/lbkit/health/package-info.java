/**
 * The health-check engine: {@link dev.lbkit.health.HealthChecker} runs lb-api's {@code HealthCheck}
 * specifications (connect, HTTP and HTTPS, send/expect, external command, ICMP echo, DNS, agent) against real
 * servers on epoll event loops (Linux, through JNR-FFI) and reports results to the {@code LoadBalancer}. Everything else in this package is
 * internal. See {@code docs/health-checks.md}.
 */
package dev.lbkit.health;
