/**
 * The health-check engine: runs the {@code HealthCheck} specifications of lb-api (connect, HTTP, send/expect,
 * external command, ...) against real servers on an event loop and reports results to the {@code LoadBalancer}.
 * Not yet implemented; this module is reserved so that the build layout is final.
 */
package dev.lbkit.health;
